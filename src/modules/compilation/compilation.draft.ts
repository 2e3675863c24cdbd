// §8.2 compilation.draft (Alibaba "Use Cloud IDE"): compile a source without storing it, fast
// enough for every keystroke pause. Drafts go through the same worker pool as stored
// compilations, at most `perOrganization` of one organization at once (more is RATE_LIMITED, so
// one organization's editors cannot hold every worker), and the answers are kept in memory by the
// hash of the source, the contract asked for and the compiler version.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { AppError, badInput } from '../../errors';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { ServiceKey } from '../../registry';
import { abiMethods } from './api';
import { COMPILER_POOL, compilationRunner } from './compilation.runner';
import { optionalContractName, requireSource } from './compilation.service';
import type { CompilationDraft, CompileDraftInput } from './compilation.types';
import { CompileInputError, CompilerPoolError, type CompileResult } from './compiler/pool';

/** Answers kept: a few per editor of a busy gateway; each is an ABI and some messages. */
const CACHE_ENTRIES = 500;

export class DraftCompiler {
  private readonly cache = new LRUCache<string, CompileResult>({ max: CACHE_ENTRIES });
  private readonly running = new Map<string, number>();

  constructor(readonly perOrganization: number) {}

  static key(compilerVersion: string, source: string, contractName: string | null): string {
    return createHash('sha256').update(`${compilerVersion}\0${contractName ?? ''}\0${source}`).digest('hex');
  }

  async compile(
    pool: { loadedVersion: string | undefined; compile: (input: { source: string; contractName?: string }) => Promise<CompileResult> },
    organizationId: string,
    source: string,
    contractName: string | null,
  ): Promise<{ result: CompileResult; cached: boolean }> {
    const version = pool.loadedVersion;
    const hit = version ? this.cache.get(DraftCompiler.key(version, source, contractName)) : undefined;
    if (hit) return { result: hit, cached: true };
    const busy = this.running.get(organizationId) ?? 0;
    if (busy >= this.perOrganization) {
      throw new AppError('RATE_LIMITED', `Your organization already compiles ${busy} draft${busy > 1 ? 's' : ''}: retry when it is done`, {
        perOrganization: this.perOrganization,
      });
    }
    this.running.set(organizationId, busy + 1);
    try {
      const result = await pool.compile({ source, contractName: contractName ?? undefined });
      this.cache.set(DraftCompiler.key(result.compilerVersion, source, contractName), result);
      return { result, cached: false };
    } finally {
      const left = (this.running.get(organizationId) ?? 1) - 1;
      if (left > 0) this.running.set(organizationId, left);
      else this.running.delete(organizationId);
    }
  }
}

export const DRAFTS = new ServiceKey<DraftCompiler>('draftCompiler');

/** Compiles a draft for the acting membership's organization (compilation.draft); nothing is stored, no event. */
export async function compileDraft(ctx: GatewayContext, { acting }: ConsortiumGrant<null>, input: CompileDraftInput): Promise<CompilationDraft> {
  const source = requireSource(ctx, input.source);
  const contractName = optionalContractName(input.contractName);
  // The runner owns the pool; asking for it first fails loudly if the module did not start.
  compilationRunner(ctx.app);
  const pool = ctx.app.registry.get(COMPILER_POOL)!;
  const drafts = ctx.app.registry.get(DRAFTS)!;
  let answer: { result: CompileResult; cached: boolean };
  try {
    answer = await drafts.compile(pool, acting.organizationId, source, contractName);
  } catch (error) {
    if (error instanceof CompileInputError) throw badInput(error.message, { field: error.reason === 'SOURCE_TOO_LARGE' ? 'source' : 'contractName' });
    if (error instanceof CompilerPoolError) throw new AppError('RATE_LIMITED', `The compiler is busy: ${error.message}`);
    throw error;
  }
  const { result, cached } = answer;
  return {
    ok: result.ok,
    cached,
    compilerVersion: result.compilerVersion,
    contractName: result.ok ? result.contractName : null,
    diagnostics: result.diagnostics ?? (result.ok ? [] : result.errors.map((message) => ({ severity: 'ERROR' as const, message, line: null, column: null }))),
    abi: result.ok ? result.abi : null,
    methods: result.ok ? abiMethods(result.abi) : [],
  };
}
