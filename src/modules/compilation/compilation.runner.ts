import { ServiceKey } from '../../registry';
import type { AppServices } from '../../graphql/context';
import type { Logger } from '../../logger';
import type { Orm } from '../../db/orm';
import { EventKind } from '../event/event.entity';
import { recordEvent } from '../event/event.recorder';
import { Compilation, CompilationStatus } from './compilation.entity';
import { CompileInputError, CompilerPool, CompilerPoolError, type CompileResult } from './compiler/pool';

const RUNNER = new ServiceKey<CompilationRunner>('compilationRunner');
export const COMPILER_POOL = new ServiceKey<CompilerPool>('compiler');

/**
 * Compiles PENDING compilations off the request path. A request stores the row and enqueues its
 * id; the pool compiles; a new transaction then moves the row to COMPILED or FAILED, only if it
 * is still PENDING with the very source that was compiled. So two gateway instances that both
 * compile one row complete it once, and an edit made meanwhile is never overwritten by the
 * result of the source it replaced.
 */
export class CompilationRunner {
  private readonly inflight = new Set<Promise<void>>();
  /** Compilations compiling now, per organization. */
  private readonly running = new Map<string, number>();
  /** Compilations waiting for their organization's turn, per organization, in order. */
  private readonly waiting = new Map<string, string[]>();

  /**
   * `perOrganization`: how many compilations of one organization compile at once. The rest wait
   * in the organization's own queue, so a few members with sources that hold a compiler for
   * the whole timeout cannot occupy every worker of the gateway.
   */
  constructor(
    private readonly orm: Orm,
    readonly pool: CompilerPool,
    private readonly log: Logger,
    readonly perOrganization = 1,
  ) {}

  /** Compiles one compilation in the background, or queues it behind its organization's; errors are logged, the row stays PENDING. */
  enqueue(id: string, organizationId: string): void {
    const queue = this.waiting.get(organizationId) ?? [];
    if (queue.includes(id)) return; // already waiting: it compiles the row as it is by then
    if ((this.running.get(organizationId) ?? 0) < this.perOrganization) {
      this.start(id, organizationId);
      return;
    }
    queue.push(id);
    this.waiting.set(organizationId, queue);
  }

  /**
   * The place (1 = next) of a compilation waiting behind other compilations of its organization
   * on this gateway instance; null when it is not waiting here (compiling, done, or queued by
   * another instance).
   */
  queuePosition(id: string): number | null {
    for (const queue of this.waiting.values()) {
      const index = queue.indexOf(id);
      if (index >= 0) return index + 1;
    }
    return null;
  }

  private start(id: string, organizationId: string): void {
    this.running.set(organizationId, (this.running.get(organizationId) ?? 0) + 1);
    const job = this.run(id)
      .catch((err) => this.log.error({ err, compilationId: id }, 'compilation could not be completed; it stays PENDING'))
      .finally(() => {
        this.inflight.delete(job);
        this.finished(organizationId);
      });
    this.inflight.add(job);
  }

  /** One of the organization's compilations is done: the next one waiting starts. */
  private finished(organizationId: string): void {
    const left = (this.running.get(organizationId) ?? 1) - 1;
    if (left > 0) this.running.set(organizationId, left);
    else this.running.delete(organizationId);
    const queue = this.waiting.get(organizationId);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.waiting.delete(organizationId);
    if (next) this.start(next, organizationId);
  }

  /** Re-enqueues every PENDING compilation: those left PENDING by a restart are compiled after it. */
  async resumePending(): Promise<number> {
    const rows = await this.orm.em.fork().execute<{ id: string; organization_id: string }[]>(
      `select c.id, m.organization_id from compilation c join membership m on m.id = c.created_by_id
        where c.status = ? order by c.created_at, c.id`,
      [CompilationStatus.PENDING],
    );
    for (const row of rows) this.enqueue(row.id, row.organization_id);
    return rows.length;
  }

  /** Resolves once nothing is compiling, completing or waiting (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private async run(id: string): Promise<void> {
    const found = await this.orm.em.fork().findOne(Compilation, { id, status: CompilationStatus.PENDING });
    if (!found) return;
    const { source, contractName } = found;
    let result: CompileResult;
    try {
      result = await this.pool.compile({ source, contractName: contractName ?? undefined });
    } catch (error) {
      // Refused input is the source's fault: a FAILED compilation with the reason.
      if (error instanceof CompileInputError) result = { ok: false, errors: [error.message], compilerVersion: '' };
      else if (error instanceof CompilerPoolError) {
        // Queue full, pool closed or solc failing to load: retryable, so the row stays PENDING
        // and the next start (of this or another instance) compiles it.
        this.log.warn({ compilationId: id, reason: error.reason }, `compilation left PENDING: ${error.message}`);
        return;
      } else throw error;
    }
    await this.complete(found, result);
  }

  private async complete(compiled: Compilation, result: CompileResult): Promise<void> {
    const status = result.ok ? CompilationStatus.COMPILED : CompilationStatus.FAILED;
    const compilerVersion = result.compilerVersion || null; // '' when no compiler saw the source
    const changes = result.ok
      ? { status, compilerVersion, bytecode: result.bytecode, deployedBytecode: result.deployedBytecode, abi: result.abi, errors: null }
      : { status, compilerVersion, bytecode: null, deployedBytecode: null, abi: null, errors: result.errors };
    await this.orm.em.fork().transactional(async (em) => {
      const updated = await em.nativeUpdate(
        Compilation,
        { id: compiled.id, status: CompilationStatus.PENDING, source: compiled.source, contractName: compiled.contractName ?? null },
        { ...changes, updatedAt: new Date() },
      );
      if (updated !== 1) return; // completed elsewhere, or edited since: not ours to complete
      await recordEvent(em, {
        kind: EventKind.COMPILATION_STATUS_CHANGED,
        consortiumId: compiled.consortium.id,
        actor: { userId: null, organizationId: null, membershipId: null },
        subject: { type: 'Compilation', id: compiled.id },
        payload: {
          name: compiled.name, version: compiled.version, from: CompilationStatus.PENDING, to: status,
          compilerVersion, ...(result.ok ? {} : { errors: result.errors.slice(0, 20) }),
        },
      });
    });
  }
}

/** Creates the pool and the runner at module start, and re-enqueues what a restart left PENDING. */
export async function startCompilationRunner(app: AppServices): Promise<CompilationRunner> {
  const pool = new CompilerPool({
    size: app.config.compiler.workers ?? undefined,
    timeoutMs: app.config.compiler.timeoutMs,
    maxSourceBytes: app.config.compiler.maxSourceBytes,
  });
  const runner = new CompilationRunner(app.orm, pool, app.log.child({ module: 'compilation' }), app.config.compiler.maxPerOrganization);
  app.registry.set(COMPILER_POOL, pool);
  app.registry.set(RUNNER, runner);
  const resumed = await runner.resumePending();
  if (resumed > 0) app.log.info({ resumed }, 'PENDING compilations re-enqueued');
  return runner;
}

/** Closes the pool (compilations in progress stay PENDING) and waits for completions underway. */
export async function stopCompilationRunner(app: AppServices): Promise<void> {
  const runner = app.registry.get(RUNNER);
  if (!runner) return;
  app.registry.delete(RUNNER);
  app.registry.delete(COMPILER_POOL);
  await runner.pool.close();
  await runner.idle();
}

/** The running instance's runner. */
export function compilationRunner(app: AppServices): CompilationRunner {
  const runner = app.registry.get(RUNNER);
  if (!runner) throw new Error('the compilation module did not start');
  return runner;
}
