// Compilations are capped per organization (COMPILE_MAX_PER_ORG): beyond the cap they wait in
// the organization's queue, and each shows its place there; other organizations are not held up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilationRunner } from '../../src/modules/compilation/compilation.runner';
import { CompilationQueueDocument, CreateCompilationDocument, CreateCompilationsQueuedDocument } from '../generated/graphql';
import { addSeat, newConsortium, type Seat, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';

const STORE = 'pragma solidity ^0.8.0; contract Store { uint256 v; function set(uint256 x) external { v = x; } }';

/** A source that holds the only compiler worker for a while (until it compiles or times out). */
function heavySource(functions: number): string {
  const fns = Array.from({ length: functions }, (_, i) =>
    `function f${i}(uint256 a, uint256 b) external pure returns (uint256) { uint256 s = a; ` +
    `for (uint256 j = 0; j < b; j++) { s = s * ${i + 3} + j ^ (s >> 3); } return s + ${i}; }`);
  return `pragma solidity ^0.8.0; contract Heavy { ${fns.join('\n')} }`;
}

let gw: TestGateway;
let c: TestConsortium;
let other: Seat;
beforeAll(async () => {
  gw = await startTestGateway({ COMPILER_WORKERS: '1', COMPILE_MAX_PER_ORG: '1' });
  c = await newConsortium(gw);
  other = await addSeat(gw, c, { role: 'ADMINISTRATOR' });
  await compilationRunner(gw.app.services).pool.warmup();
});
afterAll(async () => {
  if (gw) await compilationRunner(gw.app.services).idle();
  await gw?.stop();
});

let n = 0;
const input = (source = STORE) => ({ consortiumId: c.consortiumId, name: `queued-${++n}`, source });

describe('COMPILE_MAX_PER_ORG', () => {
  it('queues an organization’s compilations beyond the cap, shows each its place, and does not hold up another organization', async () => {
    const runner = compilationRunner(gw.app.services);
    // The only worker is busy, so the organization's first compilation cannot finish while the
    // next ones are stored: they must wait in its queue.
    const blocker = runner.pool.compile({ source: heavySource(100), timeoutMs: 3_000 });
    const client = c.admin.owner.client;
    const created = await client.ok(CreateCompilationsQueuedDocument, { a: input(), b: input(), c: input() });
    expect(created.first).toMatchObject({ status: 'PENDING', queuePosition: null });
    expect(created.second).toMatchObject({ status: 'PENDING', queuePosition: 1 });
    expect(created.third).toMatchObject({ status: 'PENDING', queuePosition: 2 });
    const { compilation: seen } = await client.ok(CompilationQueueDocument, { id: created.third.id });
    expect(seen.queuePosition).toBe(2);

    // Another organization's compilation is not queued behind them.
    const { createCompilation: theirs } = await other.owner.client.ok(CreateCompilationDocument, {
      input: { ...input(), membershipId: other.membershipId },
    });
    const { compilation: theirsSeen } = await other.owner.client.ok(CompilationQueueDocument, { id: theirs.id });
    expect(theirsSeen.queuePosition).toBeNull();

    await blocker;
    await runner.idle();
    for (const id of [created.first.id, created.second.id, created.third.id, theirs.id]) {
      const { compilation } = await client.ok(CompilationQueueDocument, { id });
      expect(compilation).toMatchObject({ status: 'COMPILED', queuePosition: null });
    }
  });
});
