// §8.2 compilation.draft (Alibaba "Use Cloud IDE"): a source compiled without being stored, with
// diagnostics placed by line and column and an ABI preview, cached by source and compiler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilationRunner } from '../../src/modules/compilation/compilation.runner';
import { CompileDraftDocument } from '../generated/graphql';
import type { GraphQLClient, Result } from '../support/client';
import { sql } from '../support/db';
import { setMembershipStatus } from '../support/factories/consortium';
import { createOrganization, type OrgUser } from '../support/factories/organization';
import { addSeat, newConsortium, seatUser, type Seat, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';

const STORE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
contract Store {
  uint256 private value;
  function get() external view returns (uint256) { return value; }
  function set(uint256 v) external { value = v; }
}`;
// Line 3, column 38: the parameter list is never closed.
const BROKEN = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
contract Broken { function f(uint a, }`;
// A warning at line 4, column 5: an unused local variable.
const WARNS = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
contract Warns { function f() external pure returns (uint) {
    uint unused = 1;
    return 2; } }`;

let gw: TestGateway;
let c: TestConsortium;
let adminMember: OrgUser; // effective MEMBER
let adminGuest: OrgUser; // account GUEST
let member: Seat;
let frozen: Seat;
let outsider: GraphQLClient;

beforeAll(async () => {
  gw = await startTestGateway({ COMPILER_WORKERS: '1' });
  c = await newConsortium(gw);
  [member, frozen] = await Promise.all([addSeat(gw, c), addSeat(gw, c, { status: 'FROZEN' })]);
  [adminMember, adminGuest] = await Promise.all([seatUser(gw, c.admin, 'MEMBER'), seatUser(gw, c.admin, 'GUEST', 'GUEST')]);
  outsider = (await createOrganization(gw)).owner.client;
});
afterAll(async () => {
  if (gw) await compilationRunner(gw.app.services).idle();
  await gw?.stop();
});

function expectCode(result: Result<unknown>, expected: string): void {
  if (expected === 'ok') expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  else expect(result.errors?.[0].extensions?.code, JSON.stringify(result.errors)).toBe(expected);
}

let n = 0;
/** A source no test compiled before, so no answer comes from the cache. */
const fresh = () => `${STORE}\n// ${++n}-${Date.now()}`;

describe('who may compile a draft (compilation.draft: any membership, effective MEMBER, not frozen)', () => {
  const rows: [string, () => GraphQLClient, string][] = [
    ['ADMINISTRATOR, effective OWNER', () => c.admin.owner.client, 'ok'],
    ['ADMINISTRATOR, effective MEMBER', () => adminMember.client, 'ok'],
    ['ADMINISTRATOR, account GUEST', () => adminGuest.client, 'FORBIDDEN'],
    ['MEMBER, effective OWNER', () => member.owner.client, 'ok'],
    ['FROZEN membership', () => frozen.owner.client, 'FORBIDDEN'],
    ['organization without a membership', () => outsider, 'NOT_FOUND'],
  ];
  it.each(rows)('%s → %s', async (_who, clientOf, expected) => {
    expectCode(await clientOf().request(CompileDraftDocument, { input: { consortiumId: c.consortiumId, source: fresh() } }), expected);
  });

  it('a LEFT membership compiles nothing: the consortium is unknown to it', async () => {
    const seat = await addSeat(gw, c);
    await setMembershipStatus(seat.membershipId, 'LEFT');
    await seat.owner.client.fails('NOT_FOUND', CompileDraftDocument, { input: { consortiumId: c.consortiumId, source: fresh(), membershipId: seat.membershipId } });
  });
});

describe('compileDraft', () => {
  it('answers the ABI preview and stores nothing; the same source again comes from the cache', async () => {
    // Other test files share the database: count only what this source and these organizations could write.
    const orgs = [member.org.id, c.admin.org.id];
    const eventsOf = () => sql<{ n: number }>('select count(*)::int as n from event where actor_organization_id in (?, ?)', orgs);
    const events = await eventsOf();
    const source = fresh();
    const { compileDraft: first } = await member.owner.client.ok(CompileDraftDocument, { input: { consortiumId: c.consortiumId, source } });
    expect(first).toMatchObject({ ok: true, cached: false, contractName: 'Store', diagnostics: [] });
    expect(first.methods.map((m) => m.signature).sort()).toEqual(['get()', 'set(uint256)']);
    expect((first.abi as { name?: string }[]).map((i) => i.name).sort()).toEqual(['get', 'set']);
    const { compileDraft: again } = await c.admin.owner.client.ok(CompileDraftDocument, { input: { consortiumId: c.consortiumId, source } });
    expect(again).toEqual({ ...first, cached: true });
    // Another contract asked of the same source is another answer.
    const other = await member.owner.client.request(CompileDraftDocument, { input: { consortiumId: c.consortiumId, source, contractName: 'Nope' } });
    expect(other.data?.compileDraft).toMatchObject({ ok: false, cached: false });
    expect(await sql<{ n: number }>('select count(*)::int as n from compilation where source = ?', [source])).toEqual([{ n: 0 }]);
    expect(await eventsOf()).toEqual(events);
  });

  it('places errors by line and column', async () => {
    const { compileDraft } = await member.owner.client.ok(CompileDraftDocument, { input: { consortiumId: c.consortiumId, source: BROKEN } });
    expect(compileDraft.ok).toBe(false);
    expect(compileDraft.abi).toBeNull();
    expect(compileDraft.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', line: 3, column: 38 })]);
  });

  it('places warnings too, and still previews the ABI', async () => {
    const { compileDraft } = await member.owner.client.ok(CompileDraftDocument, { input: { consortiumId: c.consortiumId, source: WARNS } });
    expect(compileDraft.ok).toBe(true);
    expect(compileDraft.diagnostics).toContainEqual(expect.objectContaining({ severity: 'WARNING', line: 4, column: 5 }));
  });

  it('an empty source, a bad or overlong contract name is BAD_USER_INPUT', async () => {
    await member.owner.client.fails('BAD_USER_INPUT', CompileDraftDocument, { input: { consortiumId: c.consortiumId, source: '  ' } });
    await member.owner.client.fails('BAD_USER_INPUT', CompileDraftDocument, { input: { consortiumId: c.consortiumId, source: STORE, contractName: '1x' } });
    await member.owner.client.fails('BAD_USER_INPUT', CompileDraftDocument, {
      input: { consortiumId: c.consortiumId, source: STORE, contractName: 'A'.repeat(101) },
    });
  });
});
