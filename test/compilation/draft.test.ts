import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { DraftCompiler } from '../../src/modules/compilation/compilation.draft';
import type { CompileResult } from '../../src/modules/compilation/compiler/pool';

/** A pool whose compilations finish when the test says so. */
function manualPool() {
  const pending: { source: string; finish: () => void }[] = [];
  let compiled = 0;
  return {
    pending,
    get compiled() {
      return compiled;
    },
    loadedVersion: undefined as string | undefined,
    compile(input: { source: string }): Promise<CompileResult> {
      compiled++;
      return new Promise((resolve) => {
        pending.push({
          source: input.source,
          finish: () => {
            this.loadedVersion = '0.8.30';
            resolve({ ok: false, errors: ['x'], compilerVersion: '0.8.30', diagnostics: [] });
          },
        });
      });
    },
  };
}

describe('DraftCompiler', () => {
  it("caps one organization's drafts at once (RATE_LIMITED beyond), never another organization's", async () => {
    const pool = manualPool();
    const drafts = new DraftCompiler(1);
    const first = drafts.compile(pool, 'org-a', 'a1', null);
    const refused = await drafts.compile(pool, 'org-a', 'a2', null).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('RATE_LIMITED');
    const other = drafts.compile(pool, 'org-b', 'b1', null);
    expect(pool.pending.map((p) => p.source)).toEqual(['a1', 'b1']);
    pool.pending.forEach((p) => p.finish());
    await Promise.all([first, other]);
    // Its slot is free again once the first is done.
    const next = drafts.compile(pool, 'org-a', 'a2', null);
    pool.pending[2].finish();
    expect((await next).cached).toBe(false);
  });

  it('answers a source already compiled by the same compiler from the cache, per contract name', async () => {
    const pool = manualPool();
    const drafts = new DraftCompiler(1);
    const first = drafts.compile(pool, 'org-a', 'src', null);
    pool.pending[0].finish();
    expect((await first).cached).toBe(false);
    expect((await drafts.compile(pool, 'org-a', 'src', null)).cached).toBe(true);
    expect(pool.compiled).toBe(1);
    const named = drafts.compile(pool, 'org-a', 'src', 'C');
    pool.pending[1].finish();
    expect((await named).cached).toBe(false);
    // Another compiler version is another key.
    expect(DraftCompiler.key('0.8.30', 'src', null)).not.toBe(DraftCompiler.key('0.8.31', 'src', null));
  });
});
