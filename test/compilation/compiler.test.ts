import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompileInputError, CompilerPool, CompilerPoolError, type CompileResult } from '../../src/modules/compilation/compiler/pool';

const TOKEN = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Token {
    mapping(address => uint256) private balances;
    constructor() { balances[msg.sender] = 1000; }
    function balanceOf(address account) external view returns (uint256) { return balances[account]; }
    function transfer(address to, uint256 amount) external returns (bool) {
        balances[msg.sender] -= amount;
        balances[to] += amount;
        return true;
    }
}
`;

const BROKEN = `pragma solidity ^0.8.20;
contract Broken {
    function f() public pure returns (uint256) { uint256 x = 1 return x; }
}
`;

// Declared Zeta, Alpha, IThing: "last contract" must follow source order, not solc's sorted map.
const MULTI = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Zeta { function zeta() external pure returns (uint8) { return 26; } }
contract Alpha { function alpha() external pure returns (uint8) { return 1; } }
interface IThing { function thing() external; }
`;

const ok = (r: CompileResult) => {
  if (!r.ok) throw new Error(`expected success, got: ${r.errors.join('\n')}`);
  return r;
};

describe('CompilerPool (shared warm pool)', () => {
  let pool: CompilerPool;
  beforeAll(() => { pool = new CompilerPool({ size: 2 }); });
  afterAll(() => pool.close());

  it('compiles a valid contract to bytecode and ABI', async () => {
    const r = ok(await pool.compile({ source: TOKEN, fileName: 'Token.sol' }));
    expect(r.contractName).toBe('Token');
    expect(r.bytecode).toMatch(/^0x6080[0-9a-f]+$/);
    expect(r.deployedBytecode).toMatch(/^0x6080[0-9a-f]+$/);
    expect(r.abi.filter((i) => i.type === 'function').map((i) => i.name).sort()).toEqual(['balanceOf', 'transfer']);
    expect(r.compilerVersion).toMatch(/^0\.8\.37\+commit\./);
    expect(pool.compilerVersion).toBe(r.compilerVersion);
    expect(r.warnings).toEqual([]);
  });

  it('reports syntax errors with the compiler message and line', async () => {
    const r = await pool.compile({ source: BROKEN, fileName: 'Broken.sol' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/ParserError/);
    expect(r.errors[0]).toMatch(/Broken\.sol:3:\d+/);
  });

  it('selects the last contract by default, or contractName', async () => {
    const [byDefault, zeta, missing, iface] = await Promise.all([
      pool.compile({ source: MULTI }),
      pool.compile({ source: MULTI, contractName: 'Zeta' }),
      pool.compile({ source: MULTI, contractName: 'Missing' }),
      pool.compile({ source: MULTI, contractName: 'IThing' }),
    ]);
    expect(ok(byDefault).contractName).toBe('Alpha');
    expect(ok(byDefault).abi.map((i) => i.name)).toEqual(['alpha']);
    expect(ok(zeta).abi.map((i) => i.name)).toEqual(['zeta']);
    expect(missing).toMatchObject({ ok: false, errors: ['contract "Missing" not found in Contract.sol; available: Zeta, Alpha, IThing (interface)'] });
    expect(iface).toMatchObject({ ok: false, errors: [expect.stringMatching(/"IThing" .* has no bytecode/)] });
  });

  it('never runs more than `size` compiles at once and queues the rest', async () => {
    const expected = Math.min(2, os.availableParallelism());
    await pool.warmup();
    const jobs = Array.from({ length: 5 }, () => pool.compile({ source: TOKEN }));
    // Warm idle workers take jobs synchronously, so this snapshot is deterministic.
    expect(pool.stats()).toMatchObject({ workers: expected, busy: expected, queued: 5 - expected });
    const results = await Promise.all(jobs);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(pool.stats()).toMatchObject({ workers: expected, busy: 0, queued: 0, peakBusy: expected });
  });
});

describe('CompilerPool (input limits and lifecycle, no compiler needed)', () => {
  it('rejects oversize or malformed input before it reaches a worker', async () => {
    const pool = new CompilerPool({ size: 1, maxSourceBytes: 1024 });
    const err = await pool.compile({ source: `// ${'x'.repeat(1100)}\n` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileInputError);
    expect(err).toMatchObject({ reason: 'SOURCE_TOO_LARGE', message: 'source is 1104 bytes; the limit is 1024 bytes' });
    await expect(pool.compile({ source: '  ' })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    await expect(pool.compile({ source: TOKEN, fileName: '../etc/x.sol' })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    await expect(pool.compile({ source: TOKEN, contractName: 'not a name' })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    await expect(pool.compile({ source: TOKEN, timeoutMs: 0 })).rejects.toMatchObject({ reason: 'INVALID_INPUT' });
    expect(pool.stats().workers).toBe(0);
    await pool.close();
  });

  it('bounds the queue and rejects pending work on close', async () => {
    const pool = new CompilerPool({ size: 1, maxQueue: 2 });
    // Settled into values right away: close() rejects them while it awaits worker termination.
    const a = pool.compile({ source: TOKEN }).catch((e: unknown) => e);
    const b = pool.compile({ source: TOKEN }).catch((e: unknown) => e);
    await expect(pool.compile({ source: TOKEN })).rejects.toMatchObject({ name: 'CompilerPoolError', reason: 'QUEUE_FULL' });
    await pool.close();
    expect(await a).toBeInstanceOf(CompilerPoolError);
    expect(await b).toMatchObject({ reason: 'CLOSED' });
    await expect(pool.compile({ source: TOKEN })).rejects.toMatchObject({ reason: 'CLOSED' });
    expect(pool.stats().workers).toBe(0);
  });

  it('validates options and never exceeds the available parallelism', () => {
    expect(new CompilerPool({ size: 64 }).size).toBe(os.availableParallelism());
    expect(() => new CompilerPool({ size: 0 })).toThrow(RangeError);
    expect(() => new CompilerPool({ timeoutMs: -1 })).toThrow(RangeError);
  });
});

describe('CompilerPool (timeouts and crashes)', () => {
  // 1 ms cannot be met: the clock starts when a loaded worker receives the job, and even a warm
  // solc needs tens of milliseconds; a late reply is discarded because the worker is killed.
  let pool: CompilerPool;
  beforeAll(() => { pool = new CompilerPool({ size: 1, timeoutMs: 1 }); });
  afterAll(() => pool.close());

  it('reads the compiler version synchronously and reuses that worker', () => {
    expect(pool.compilerVersion).toMatch(/^0\.8\.37\+commit\./);
    expect(pool.stats().workers).toBe(1);
  });

  it('times out, replaces the worker, and compiles afterwards with a normal timeout', async () => {
    const r = await pool.compile({ source: TOKEN });
    expect(r).toEqual({ ok: false, errors: ['compilation timed out after 1 ms'], compilerVersion: pool.compilerVersion });
    expect(pool.stats()).toMatchObject({ timedOut: 1, workers: 1 });
    expect(ok(await pool.compile({ source: TOKEN, timeoutMs: 20_000 })).contractName).toBe('Token');
  });

  it('resolves a worker crash as a failure and keeps serving', async () => {
    const pending = pool.compile({ source: TOKEN, timeoutMs: 20_000 });
    expect(pool.busy).toBe(1);
    // Simulate a crash of the busy worker (test-only access to the private slot list).
    await pool['slots'][0].worker.terminate();
    const r = await pending;
    expect(r).toMatchObject({ ok: false, errors: [expect.stringMatching(/^compiler worker crashed: worker exited/)] });
    expect(pool.stats().crashed).toBe(1);
    expect(ok(await pool.compile({ source: TOKEN, timeoutMs: 20_000 })).ok).toBe(true);
  });
});
