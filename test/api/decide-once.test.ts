// A list decides the same consortium action on each of its rows (Membership.invitedBy on every
// membership of a page): every field still goes through its rule, and the policy core works the
// answer out once per operation. What each field is told stays its own: a refusal names what that
// field asked for, and a change in the operation decides again on the rights as they are then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authUser } from '../../src/auth/acting';
import { Authz, GOVERNANCE, type PolicyCore } from '../../src/auth/authz';
import { AccountRole } from '../../src/governance';
import { sql } from '../support/db';
import { createTestConsortium, joinAsMember } from '../support/factories/consortium';
import { createOrganization } from '../support/factories/organization';
import { createEnv, newConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { openSocket } from '../support/ws-operation';

/** The gateway's own policy core, counting its consortium decisions. */
let decisions = 0;
const counting: PolicyCore = {
  ...GOVERNANCE,
  decideConsortium: (...args) => {
    decisions++;
    return GOVERNANCE.decideConsortium(...args);
  },
};

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({}, { policy: counting });
});
afterAll(async () => {
  await gw?.stop();
});

const DETAIL = `query D($id: ID!) {
  consortium(id: $id) { id memberships(first: 50) { nodes { id invitedBy { id } consortium { id } } } }
}`;

/** A consortium with `members` more memberships, each invited by the creator's. */
async function consortiumWith(members: number) {
  const org = await createOrganization(gw);
  const c = await createTestConsortium(org.owner);
  for (let i = 0; i < members; i++) {
    const other = await createOrganization(gw);
    await joinAsMember(gw, c.id, other, { invitedBy: c.membershipId });
  }
  return { owner: org.owner, organizationId: org.id, id: c.id, membershipId: c.membershipId };
}

async function decisionsFor<T>(fn: () => Promise<T>): Promise<{ made: number; result: T }> {
  decisions = 0;
  const result = await fn();
  return { made: decisions, result };
}

describe('a consortium action decided on every row of a list', () => {
  it('is worked out once per operation, however many rows ask', async () => {
    const few = await consortiumWith(1);
    const many = await consortiumWith(8);
    const a = await decisionsFor(() => few.owner.client.ok<any, any>(DETAIL, { id: few.id }));
    const b = await decisionsFor(() => many.owner.client.ok<any, any>(DETAIL, { id: many.id }));
    expect(a.result.consortium.memberships.nodes).toHaveLength(2);
    expect(b.result.consortium.memberships.nodes).toHaveLength(9);
    // Every row's guarded fields answered, from one decision of consortium.view.
    for (const row of b.result.consortium.memberships.nodes.slice(1)) {
      expect(row.invitedBy).toEqual({ id: many.membershipId });
      expect(row.consortium).toEqual({ id: many.id });
    }
    expect(a.made).toBe(1);
    expect(b.made).toBe(a.made);
  });

  it('is decided again in the next operation', async () => {
    const c = await consortiumWith(2);
    const first = await decisionsFor(() => c.owner.client.ok<any, any>(DETAIL, { id: c.id }));
    const second = await decisionsFor(() => c.owner.client.ok<any, any>(DETAIL, { id: c.id }));
    expect(first.made).toBe(1);
    expect(second.made).toBe(1);
  });

  it('is decided again once a change made the operation forget the rights', async () => {
    const c = await consortiumWith(1);
    const user = authUser(c.owner.id, c.organizationId, AccountRole.OWNER);
    const authz = new Authz(gw.app.services.reader, user, null, counting);
    decisions = 0;
    const first = await authz.requireConsortium('consortium.view', c.id);
    await authz.requireConsortium('consortium.view', c.id, { subject: { type: 'Membership', id: c.membershipId } });
    expect(decisions).toBe(1);
    // What a mutation field does after it ran (schema.ts): the next decision reads and decides anew.
    await sql('update membership set status = ? where id = ?', ['LEFT', c.membershipId]);
    authz.forget();
    await expect(authz.requireConsortium('consortium.view', c.id, { subject: { type: 'Membership', id: c.membershipId } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(c.membershipId),
    });
    expect(first.membership.id).toBe(c.membershipId);
  });

  it('refuses each field naming what that field asked for', async () => {
    const c = await consortiumWith(1);
    const outsider = await createOrganization(gw);
    const authz = new Authz(gw.app.services.reader, authUser(outsider.owner.id, outsider.id, AccountRole.OWNER), null, counting);
    await expect(authz.requireConsortium('consortium.view', c.id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(c.id) });
    await expect(authz.requireConsortium('consortium.view', c.id, { subject: { type: 'Membership', id: c.membershipId } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(c.membershipId),
    });
  });

  it('gives every field that names a membership the caller does not hold its own NOT_FOUND, at its own path', async () => {
    const c = await newConsortium(gw);
    const environmentId = await createEnv(c.admin.owner.client, c.consortiumId);
    const unknown = '00000000-0000-4000-8000-000000000042';
    decisions = 0;
    const result = await c.admin.owner.client.request<any, any>(
      `query($e: ID!, $m: ID) {
         first: certificate(environmentId: $e, membershipId: $m) { id }
         second: certificate(environmentId: $e, membershipId: $m) { id }
         mine: certificate(environmentId: $e) { id }
       }`,
      { e: environmentId, m: unknown },
    );
    const refused = (result.errors ?? []).map((e) => ({ path: e.path, code: e.extensions?.code, names: e.message.includes(unknown) }));
    expect(refused, JSON.stringify(result.errors)).toEqual([
      { path: ['first'], code: 'NOT_FOUND', names: true },
      { path: ['second'], code: 'NOT_FOUND', names: true },
    ]);
    // The field that names no membership is decided on its own, and answered (no certificate yet).
    expect(result.data).toEqual({ first: null, second: null, mine: null });
    expect(decisions).toBe(1);
  });

  it('holds over WebSocket too', async () => {
    const c = await consortiumWith(3);
    const socket = await openSocket(gw, await gw.tokenFor(c.owner.email));
    try {
      decisions = 0;
      const outcome = await socket.run(DETAIL, { id: c.id });
      expect(outcome.kind, JSON.stringify(outcome)).toBe('result');
      const data = (outcome as Extract<typeof outcome, { kind: 'result' }>).result.data as any;
      expect(data.consortium.memberships.nodes).toHaveLength(4);
      expect(decisions).toBe(1);
    } finally {
      await socket.dispose();
    }
  });
});
