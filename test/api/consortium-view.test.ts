// consortium.view: who sees a consortium, its memberships and the list of consortia, and the
// guards of nested fields. Not visible is NOT_FOUND, the same answer as an unknown id.
import { isObjectType, type GraphQLResolveInfo } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { buildContext } from '../../src/server';
import { ConsortiumByIdDocument, ConsortiumMembershipsDocument, MyConsortiaDocument } from '../generated/graphql';
import { sql } from '../support/db';
import { createTestConsortium, joinAsMember, memberOrganization } from '../support/factories/consortium';
import { addUser, createOrganization } from '../support/factories/organization';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
/** NOT_FOUND messages with the id blanked out, to compare their shape. */
const shape = (message: string, id: string) => message.replace(id, '<id>');

describe('consortium (consortium.view)', () => {
  it('is visible to ACTIVE and FROZEN members, NOT_FOUND for LEFT members and outsiders, like an unknown id', async () => {
    const creator = await createOrganization(gw);
    const c = await createTestConsortium(creator.owner);
    const active = await memberOrganization(gw, c.id);
    const frozen = await memberOrganization(gw, c.id, { status: 'FROZEN' });
    const left = await memberOrganization(gw, c.id, { status: 'LEFT' });
    const outsider = await createOrganization(gw);

    for (const client of [creator.owner.client, active.org.owner.client, frozen.org.owner.client]) {
      expect((await client.ok(ConsortiumByIdDocument, { id: c.id })).consortium.id).toBe(c.id);
    }
    const unknown = await outsider.owner.client.fails('NOT_FOUND', ConsortiumByIdDocument, { id: UNKNOWN_ID });
    for (const client of [left.org.owner.client, outsider.owner.client]) {
      const error = await client.fails('NOT_FOUND', ConsortiumByIdDocument, { id: c.id });
      expect(shape(error.message, c.id)).toBe(shape(unknown.message, UNKNOWN_ID));
      expect(Object.keys(error.extensions ?? {})).toEqual(Object.keys(unknown.extensions ?? {}));
    }
    await outsider.owner.client.fails('NOT_FOUND', ConsortiumByIdDocument, { id: 'not-a-uuid' });
    await gw.anonymous().fails('UNAUTHENTICATED', ConsortiumByIdDocument, { id: c.id });
  });

  it("shows every current membership with organization, role, permissions and the chain of inviters; LEFT ones on request", async () => {
    const creator = await createOrganization(gw);
    const c = await createTestConsortium(creator.owner);
    const a = await memberOrganization(gw, c.id, { permissions: ['INVITE_ORGANIZATIONS'], invitedBy: c.membershipId });
    const b = await memberOrganization(gw, c.id, { invitedBy: a.membership.id, status: 'FROZEN' });
    const gone = await memberOrganization(gw, c.id, { status: 'LEFT' });

    const { consortium } = await b.org.owner.client.ok(ConsortiumMembershipsDocument, { id: c.id });
    const byId = new Map(consortium.memberships.nodes.map((m) => [m.id, m]));
    expect([...byId.keys()].sort()).toEqual([c.membershipId, a.membership.id, b.membership.id].sort());
    expect(byId.get(a.membership.id)).toMatchObject({
      role: 'MEMBER',
      status: 'ACTIVE',
      permissions: ['INVITE_ORGANIZATIONS'],
      organization: { id: a.org.id, name: a.org.name, plan: 'STANDARD' },
      invitedBy: { id: c.membershipId },
      consortium: { id: c.id },
    });
    expect(byId.get(b.membership.id)).toMatchObject({ status: 'FROZEN', invitedBy: { id: a.membership.id } });

    const leftOnly = await a.org.owner.client.ok(ConsortiumMembershipsDocument, { id: c.id, status: ['LEFT'] });
    expect(leftOnly.consortium.memberships.nodes.map((m) => m.id)).toEqual([gone.membership.id]);
  });
});

describe('nested fields', () => {
  // No API path leads an outsider to a Membership or a Consortium yet; these guards are for the
  // day one does (an invitation, a node), so they are exercised on the gateway's own schema.
  async function resolveAs(email: string, type: string, field: string, parent: unknown, args = {}) {
    const t = gw.app.gateway.schema.getType(type);
    if (!isObjectType(t)) throw new Error(`${type} is not an object type`);
    const ctx = await buildContext(gw.app.services, { subject: `test|${email}`, email, name: null, expiresAt: null, emailVerified: true }, 'nested-test');
    const info = { fieldName: field, parentType: t, path: { key: field }, fieldNodes: [], fragments: {} } as unknown as GraphQLResolveInfo;
    return t.getFields()[field].resolve!(parent, args, ctx, info);
  }

  it("refuse a consortium's memberships, and a membership's consortium or inviter, to a caller who cannot see it", async () => {
    const creator = await createOrganization(gw);
    const c = await createTestConsortium(creator.owner);
    const member = await memberOrganization(gw, c.id, { invitedBy: c.membershipId });
    const left = await memberOrganization(gw, c.id, { status: 'LEFT' });
    const outsider = await createOrganization(gw);
    const membership = { id: member.membership.id, consortium: { id: c.id }, invitedBy: { id: c.membershipId } };
    const cases = [
      ['Consortium', 'memberships', { id: c.id }, { status: null }],
      ['Membership', 'consortium', membership, {}],
      ['Membership', 'invitedBy', membership, {}],
    ] as const;
    for (const [type, field, parent, args] of cases) {
      for (const email of [outsider.owner.email, left.org.owner.email]) {
        const refused = await resolveAs(email, type, field, parent, args);
        expect(refused, `${type}.${field}`).toBeInstanceOf(AppError);
        expect((refused as AppError).code).toBe('NOT_FOUND');
      }
      const allowed = await resolveAs(member.org.owner.email, type, field, parent, args);
      expect(allowed, `${type}.${field}`).not.toBeInstanceOf(Error);
    }
  });
});

describe('consortia', () => {
  it("lists the organization's consortia with an ACTIVE or FROZEN membership, page by page", async () => {
    const org = await createOrganization(gw);
    const own = await createTestConsortium(org.owner);
    const other = await createOrganization(gw);
    const frozenIn = await createTestConsortium(other.owner);
    const leftIn = await createTestConsortium(other.owner);
    const notIn = await createTestConsortium(other.owner);
    await joinAsMember(gw, frozenIn.id, org, { status: 'FROZEN' });
    await joinAsMember(gw, leftIn.id, org, { status: 'LEFT' });

    const first = await org.owner.client.ok(MyConsortiaDocument, { first: 1 });
    expect(first.consortia.totalCount).toBe(2);
    expect(first.consortia.pageInfo.hasNextPage).toBe(true);
    const second = await org.owner.client.ok(MyConsortiaDocument, { first: 1, after: first.consortia.pageInfo.endCursor });
    expect(second.consortia.pageInfo.hasNextPage).toBe(false);
    const ids = [...first.consortia.nodes, ...second.consortia.nodes].map((n) => n.id);
    expect(ids.sort()).toEqual([own.id, frozenIn.id].sort());
    expect(ids).not.toContain(leftIn.id);
    expect(ids).not.toContain(notIn.id);
    expect(first.consortia.nodes.concat(second.consortia.nodes).find((n) => n.id === frozenIn.id)?.myMemberships).toMatchObject([
      { status: 'FROZEN' },
    ]);
  });

  it('shows an account GUEST only the consortia where they hold a network role; a user without organization none', async () => {
    const org = await createOrganization(gw);
    const withRole = await createTestConsortium(org.owner);
    await createTestConsortium(org.owner);
    const guest = await addUser(gw, org, 'GUEST');
    await sql(`insert into network_role (id, user_id, consortium_id, role) values (gen_random_uuid(), ?, ?, 'GUEST')`, [
      guest.id,
      withRole.id,
    ]);
    const { consortia } = await guest.client.ok(MyConsortiaDocument, {});
    expect(consortia.nodes.map((n) => n.id)).toEqual([withRole.id]);
    const member = await addUser(gw, org, 'MEMBER');
    expect((await member.client.ok(MyConsortiaDocument, {})).consortia.totalCount).toBe(2);
    expect((await gw.as(uniqueEmail('none')).ok(MyConsortiaDocument, {})).consortia.totalCount).toBe(0);
  });
});
