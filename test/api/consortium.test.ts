import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsortiumByIdDocument,
  CreateConsortiumDocument,
  DeleteConsortiumDocument,
  MeDocument,
  MyConsortiaDocument,
  UpdateConsortiumDocument,
} from '../generated/graphql';
import { sql } from '../support/db';
import {
  consortiumEvents,
  createTestConsortium,
  joinAsMember,
  memberOrganization,
  setMembershipStatus,
} from '../support/factories/consortium';
import { addUser, createOrganization } from '../support/factories/organization';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const ALL_FOUR = ['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS'];

describe('createConsortium', () => {
  it("gives the creator's organization an ADMINISTRATOR membership with all four permissions and the creator network OWNER, in one event", async () => {
    const org = await createOrganization(gw);
    const { createConsortium: c } = await org.owner.client.ok(CreateConsortiumDocument, {
      input: { name: '  Trade finance  ', description: 'Letters of credit' },
    });
    expect(c.name).toBe('Trade finance');
    expect(c.description).toBe('Letters of credit');
    expect(c.creatorOrganization).toEqual({ id: org.id, name: org.name });
    expect(c.myEffectiveRole).toBe('OWNER');
    expect(c.memberships.nodes).toHaveLength(1);
    const [m] = c.memberships.nodes;
    expect(m).toMatchObject({ role: 'ADMINISTRATOR', status: 'ACTIVE', displayName: org.name, invitedBy: null });
    expect([...m.permissions].sort()).toEqual([...ALL_FOUR].sort());
    expect(m.organization.id).toBe(org.id);
    expect(c.myMemberships).toEqual([{ id: m.id }]);

    const roles = await sql('select role from network_role where user_id = ? and consortium_id = ?', [org.owner.id, c.id]);
    expect(roles).toEqual([{ role: 'OWNER' }]);
    const events = await consortiumEvents(c.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'CONSORTIUM_CREATED',
      actorUserId: org.owner.id,
      actorOrganizationId: org.id,
      actingMembershipId: m.id,
      subjectType: 'Consortium',
      subjectId: c.id,
    });
  });

  it('names the membership membershipName when given; an account ADMIN may create', async () => {
    const org = await createOrganization(gw);
    const admin = await addUser(gw, org, 'ADMIN');
    const { createConsortium: c } = await admin.client.ok(CreateConsortiumDocument, {
      input: { name: 'Shipping', membershipName: 'Logistics unit' },
    });
    expect(c.memberships.nodes[0].displayName).toBe('Logistics unit');
    expect(c.myEffectiveRole).toBe('OWNER');
  });

  it('is refused to an account MEMBER or GUEST, to a user without organization, and to anonymous callers', async () => {
    const org = await createOrganization(gw);
    const input = { name: 'Refused' };
    for (const role of ['MEMBER', 'GUEST'] as const) {
      const user = await addUser(gw, org, role);
      const error = await user.client.fails('FORBIDDEN', CreateConsortiumDocument, { input });
      expect(error.extensions).toMatchObject({ kind: 'accountRole', have: role });
    }
    const loner = gw.as(uniqueEmail('loner'));
    await loner.ok(MeDocument);
    await loner.fails('FORBIDDEN', CreateConsortiumDocument, { input });
    await gw.anonymous().fails('UNAUTHENTICATED', CreateConsortiumDocument, { input });
    expect(await sql('select 1 from consortium where creator_organization_id = ?', [org.id])).toHaveLength(0);
  });

  it('refuses a blank name or membershipName and writes nothing', async () => {
    const org = await createOrganization(gw);
    const blank = await org.owner.client.fails('BAD_USER_INPUT', CreateConsortiumDocument, { input: { name: '   ' } });
    expect(blank.extensions?.field).toBe('name');
    const member = await org.owner.client.fails('BAD_USER_INPUT', CreateConsortiumDocument, {
      input: { name: 'Fine', membershipName: ' ' },
    });
    expect(member.extensions?.field).toBe('membershipName');
    const long = await org.owner.client.fails('BAD_USER_INPUT', CreateConsortiumDocument, {
      input: { name: 'Fine', description: 'x'.repeat(2001) },
    });
    expect(long.extensions?.field).toBe('description');
    expect(await sql('select 1 from consortium where creator_organization_id = ?', [org.id])).toHaveLength(0);
  });
});

describe('updateConsortium (consortium.update)', () => {
  it('is allowed to an ADMINISTRATOR membership with effective role ADMIN or higher, with one event', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const { updateConsortium } = await org.owner.client.ok(UpdateConsortiumDocument, {
      id: c.id,
      input: { name: ' Renamed ', description: 'New text' },
    });
    expect(updateConsortium).toMatchObject({ name: 'Renamed', description: 'New text' });
    // An account ADMIN without network role is effective ADMIN: enough.
    const admin = await addUser(gw, org, 'ADMIN');
    await admin.client.ok(UpdateConsortiumDocument, { id: c.id, input: { description: 'By an admin' } });
    // Same values again: no change, no event.
    await admin.client.ok(UpdateConsortiumDocument, { id: c.id, input: { description: 'By an admin' } });
    const events = (await consortiumEvents(c.id)).filter((e) => e.kind === 'CONSORTIUM_UPDATED');
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ actorUserId: org.owner.id, actingMembershipId: c.membershipId });
    expect(events[0].payload).toEqual({
      changed: { name: { from: c.name, to: 'Renamed' }, description: { from: '', to: 'New text' } },
    });
  });

  it('is refused to a MEMBER membership (consortium role), even for its OWNER', async () => {
    const creator = await createOrganization(gw);
    const c = await createTestConsortium(creator.owner);
    const member = await memberOrganization(gw, c.id, { permissions: ['MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS'] });
    const error = await member.org.owner.client.fails('FORBIDDEN', UpdateConsortiumDocument, { id: c.id, input: { name: 'x' } });
    expect(error.extensions).toMatchObject({ kind: 'consortiumRole', need: 'ADMINISTRATOR', have: 'MEMBER' });
  });

  it('is refused to an account MEMBER without network role (effective MEMBER)', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const user = await addUser(gw, org, 'MEMBER');
    const error = await user.client.fails('FORBIDDEN', UpdateConsortiumDocument, { id: c.id, input: { name: 'x' } });
    expect(error.extensions).toMatchObject({ kind: 'effectiveRole', need: 'ADMIN', have: 'MEMBER' });
  });

  it('is refused to a FROZEN membership (status), NOT_FOUND to a LEFT one and to outsiders', async () => {
    const creator = await createOrganization(gw);
    const c = await createTestConsortium(creator.owner);
    const frozen = await memberOrganization(gw, c.id, { role: 'ADMINISTRATOR', status: 'FROZEN' });
    const error = await frozen.org.owner.client.fails('FORBIDDEN', UpdateConsortiumDocument, { id: c.id, input: { name: 'x' } });
    expect(error.extensions).toMatchObject({ kind: 'status', have: 'FROZEN' });
    const left = await memberOrganization(gw, c.id, { role: 'ADMINISTRATOR', status: 'LEFT' });
    await left.org.owner.client.fails('NOT_FOUND', UpdateConsortiumDocument, { id: c.id, input: { name: 'x' } });
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', UpdateConsortiumDocument, { id: c.id, input: { name: 'x' } });
    expect((await creator.owner.client.ok(ConsortiumByIdDocument, { id: c.id })).consortium.name).toBe(c.name);
  });

  it('refuses blank or empty input with BAD_USER_INPUT', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const blank = await org.owner.client.fails('BAD_USER_INPUT', UpdateConsortiumDocument, { id: c.id, input: { name: ' ' } });
    expect(blank.extensions?.field).toBe('name');
    await org.owner.client.fails('BAD_USER_INPUT', UpdateConsortiumDocument, { id: c.id, input: {} });
  });

  it('acts through the named membership when the organization holds several', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const second = await joinAsMember(gw, c.id, org, { permissions: ['MULTIPLE_MEMBERSHIPS'] });
    await org.owner.client.fails('BAD_USER_INPUT', UpdateConsortiumDocument, { id: c.id, input: { name: 'Which?' } });
    const refused = await org.owner.client.fails('FORBIDDEN', UpdateConsortiumDocument, {
      id: c.id,
      input: { name: 'Through the member seat', membershipId: second.id },
    });
    expect(refused.extensions).toMatchObject({ kind: 'consortiumRole' });
    await org.owner.client.ok(UpdateConsortiumDocument, { id: c.id, input: { name: 'Through the admin seat', membershipId: c.membershipId } });
    const other = await memberOrganization(gw, c.id);
    await org.owner.client.fails('NOT_FOUND', UpdateConsortiumDocument, {
      id: c.id,
      input: { name: 'Through a foreign seat', membershipId: other.membership.id },
    });
    const [event] = (await consortiumEvents(c.id)).filter((e) => e.kind === 'CONSORTIUM_UPDATED');
    expect(event.actingMembershipId).toBe(c.membershipId);
  });
});

describe('deleteConsortium (consortium.delete)', () => {
  it('soft-deletes: the consortium vanishes from every query, its events stay', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    await memberOrganization(gw, c.id, { status: 'LEFT' });
    const { deleteConsortium } = await org.owner.client.ok(DeleteConsortiumDocument, { id: c.id });
    expect(deleteConsortium).toBe(c.id);
    await org.owner.client.fails('NOT_FOUND', ConsortiumByIdDocument, { id: c.id });
    await org.owner.client.fails('NOT_FOUND', UpdateConsortiumDocument, { id: c.id, input: { name: 'x' } });
    await org.owner.client.fails('NOT_FOUND', DeleteConsortiumDocument, { id: c.id });
    const { consortia } = await org.owner.client.ok(MyConsortiaDocument, {});
    expect(consortia.nodes.map((n) => n.id)).not.toContain(c.id);
    expect((await consortiumEvents(c.id)).map((e) => e.kind)).toEqual(['CONSORTIUM_CREATED', 'CONSORTIUM_DELETED']);
    expect(await sql('select 1 from consortium where id = ? and deleted_at is not null', [c.id])).toHaveLength(1);
  });

  it('is a CONFLICT while another organization holds an ACTIVE or FROZEN membership', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const other = await memberOrganization(gw, c.id);
    const error = await org.owner.client.fails('CONFLICT', DeleteConsortiumDocument, { id: c.id });
    expect(error.extensions?.otherOrganizations).toBe(1);
    await setMembershipStatus(other.membership.id, 'FROZEN');
    await org.owner.client.fails('CONFLICT', DeleteConsortiumDocument, { id: c.id });
    await setMembershipStatus(other.membership.id, 'LEFT');
    // A second seat of the deleting organization itself does not block.
    await joinAsMember(gw, c.id, org);
    await org.owner.client.ok(DeleteConsortiumDocument, { id: c.id, membershipId: c.membershipId });
  });

  it('needs effective role OWNER and the ADMINISTRATOR role; NOT_FOUND for LEFT members and outsiders', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const admin = await addUser(gw, org, 'ADMIN');
    const byAdmin = await admin.client.fails('FORBIDDEN', DeleteConsortiumDocument, { id: c.id });
    expect(byAdmin.extensions).toMatchObject({ kind: 'effectiveRole', need: 'OWNER', have: 'ADMIN' });
    const member = await memberOrganization(gw, c.id);
    const byMember = await member.org.owner.client.fails('FORBIDDEN', DeleteConsortiumDocument, { id: c.id });
    expect(byMember.extensions).toMatchObject({ kind: 'consortiumRole' });
    await setMembershipStatus(member.membership.id, 'LEFT');
    await member.org.owner.client.fails('NOT_FOUND', DeleteConsortiumDocument, { id: c.id });
    await (await createOrganization(gw)).owner.client.fails('NOT_FOUND', DeleteConsortiumDocument, { id: c.id });
    expect((await org.owner.client.ok(ConsortiumByIdDocument, { id: c.id })).consortium.id).toBe(c.id);
  });

  it("stops the consortium's running nodes, so their licenses are free again", async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const [env] = await sql<{ id: string }>(
      `insert into environment (id, consortium_id, name, client, consensus, release, chain_id, ca_certificate_pem,
         ca_private_key_encrypted, created_by_id)
       values (gen_random_uuid(), ?, 'main', 'BESU', 'QBFT', '24.1.0', 4242, 'pem', 'key', ?) returning id`,
      [c.id, c.membershipId],
    );
    await sql(`insert into node (id, environment_id, membership_id, name, role) values (gen_random_uuid(), ?, ?, 'n1', 'SIGNER')`, [
      env.id,
      c.membershipId,
    ]);
    await org.owner.client.ok(DeleteConsortiumDocument, { id: c.id });
    expect(await sql('select status from node where environment_id = ?', [env.id])).toEqual([{ status: 'STOPPED' }]);
    const [deleted] = (await consortiumEvents(c.id)).filter((e) => e.kind === 'CONSORTIUM_DELETED');
    expect(deleted.payload).toMatchObject({ nodesStopped: 1 });
  });
});
