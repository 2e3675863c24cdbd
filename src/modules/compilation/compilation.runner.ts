import { ServiceKey } from '../../registry';
import type { AppServices } from '../../graphql/context';
import type { Logger } from '../../logger';
import type { Orm } from '../../db/orm';
import { EventKind } from '../event/event.entity';
import { recordEvent } from '../event/event.recorder';
import { Compilation, CompilationStatus } from './compilation.entity';
import { CompileInputError, CompilerPool, CompilerPoolError, type CompileResult } from './compiler/pool';

const RUNNER = new ServiceKey<CompilationRunner>('compilationRunner');
const POOL = new ServiceKey<CompilerPool>('compiler');

/**
 * Compiles PENDING compilations off the request path. A request stores the row and enqueues its
 * id; the pool compiles; a new transaction then moves the row to COMPILED or FAILED, only if it
 * is still PENDING with the very source that was compiled. So two gateway instances that both
 * compile one row complete it once, and an edit made meanwhile is never overwritten by the
 * result of the source it replaced.
 */
export class CompilationRunner {
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly orm: Orm,
    readonly pool: CompilerPool,
    private readonly log: Logger,
  ) {}

  /** Compiles one compilation in the background; errors are logged, the row stays PENDING. */
  enqueue(id: string): void {
    const job = this.run(id)
      .catch((err) => this.log.error({ err, compilationId: id }, 'compilation could not be completed; it stays PENDING'))
      .finally(() => this.inflight.delete(job));
    this.inflight.add(job);
  }

  /** Re-enqueues every PENDING compilation: those left PENDING by a restart are compiled after it. */
  async resumePending(): Promise<number> {
    const rows = await this.orm.em.fork().execute<{ id: string }[]>(
      'select id from compilation where status = ? order by created_at',
      [CompilationStatus.PENDING],
    );
    for (const row of rows) this.enqueue(row.id);
    return rows.length;
  }

  /** Resolves once nothing is compiling or completing (tests, graceful shutdown). */
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
  const runner = new CompilationRunner(app.orm, pool, app.log.child({ module: 'compilation' }));
  app.registry.set(POOL, pool);
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
  app.registry.delete(POOL);
  await runner.pool.close();
  await runner.idle();
}

/** The running instance's runner. */
export function compilationRunner(app: AppServices): CompilationRunner {
  const runner = app.registry.get(RUNNER);
  if (!runner) throw new Error('the compilation module did not start');
  return runner;
}
