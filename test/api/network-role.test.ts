import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsortiumByIdDocument,
  DeleteConsortiumDocument,
  GrantNetworkRoleDocument,
  RevokeNetworkRoleDocument,
  UpdateConsortiumDocument,
  type NetworkRole,
} from '../generated/graphql';
import { matrix, type Role4 } from '../governance/matrix';
import { sql } from '../support/db';
import { consortiumEvents, createTestConsortium, memberOrganization, setMembershipStatus } from '../support/factories/consortium';
import { addUser, createOrganization, type OrgUser } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const effectiveRoleOf = async (user: OrgUser, consortiumId: string) =>
  (await user.client.ok(ConsortiumByIdDocument, { id: consortiumId })).consortium.myEffectiveRole;

describe('grantNetworkRole / revokeNetworkRole', () => {
  it('raises an account MEMBER to ADMIN on the next request, replaces the role, and revokes it, one event each', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const user = await addUser(gw, org, 'MEMBER');
    const update = { id: c.id, input: { description: 'by a network admin' } };
    await user.client.fails('FORBIDDEN', UpdateConsortiumDocument, update);

    const { grantNetworkRole } = await org.owner.client.ok(GrantNetworkRoleDocument, {
      input: { userId: user.id, consortiumId: c.id, role: 'ADMIN' },
    });
    expect(grantNetworkRole).toMatchObject({ role: 'ADMIN', user: { id: user.id }, consortium: { id: c.id } });
    expect(await effectiveRoleOf(user, c.id)).toBe('ADMIN');
    await user.client.ok(UpdateConsortiumDocument, update);

    // Upsert: one role per user and consortium.
    await org.owner.client.ok(GrantNetworkRoleDocument, { input: { userId: user.id, consortiumId: c.id, role: 'OPERATOR' } });
    expect(await sql('select role from network_role where user_id = ?', [user.id])).toEqual([{ role: 'OPERATOR' }]);
    expect(await effectiveRoleOf(user, c.id)).toBe('MEMBER');
    await user.client.fails('FORBIDDEN', UpdateConsortiumDocument, update);
    // Granting the role held already changes nothing and records nothing.
    await org.owner.client.ok(GrantNetworkRoleDocument, { input: { userId: user.id, consortiumId: c.id, role: 'OPERATOR' } });

    expect((await org.owner.client.ok(RevokeNetworkRoleDocument, { userId: user.id, consortiumId: c.id })).revokeNetworkRole).toBe(true);
    expect(await sql('select role from network_role where user_id = ?', [user.id])).toEqual([]);
    await org.owner.client.fails('NOT_FOUND', RevokeNetworkRoleDocument, { userId: user.id, consortiumId: c.id });

    const events = (await consortiumEvents(c.id)).filter((e) => e.kind.startsWith('NETWORK_ROLE'));
    expect(events.map((e) => [e.kind, e.payload])).toEqual([
      ['NETWORK_ROLE_GRANTED', { role: 'ADMIN', previousRole: null }],
      ['NETWORK_ROLE_GRANTED', { role: 'OPERATOR', previousRole: 'ADMIN' }],
      ['NETWORK_ROLE_REVOKED', { role: 'OPERATOR' }],
    ]);
    expect(events[0]).toMatchObject({ actorUserId: org.owner.id, actorOrganizationId: org.id, subjectType: 'User', subjectId: user.id });
  });

  it('is allowed to an account ADMIN, refused to an account MEMBER or GUEST', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const target = await addUser(gw, org, 'MEMBER');
    const admin = await addUser(gw, org, 'ADMIN');
    await admin.client.ok(GrantNetworkRoleDocument, { input: { userId: target.id, consortiumId: c.id, role: 'OPERATOR' } });
    for (const role of ['MEMBER', 'GUEST'] as const) {
      const user = await addUser(gw, org, role);
      const error = await user.client.fails('FORBIDDEN', GrantNetworkRoleDocument, {
        input: { userId: user.id, consortiumId: c.id, role: 'OWNER' },
      });
      expect(error.extensions).toMatchObject({ kind: 'accountRole', have: role });
      await user.client.fails('FORBIDDEN', RevokeNetworkRoleDocument, { userId: target.id, consortiumId: c.id });
    }
    expect(await sql('select role from network_role where user_id = ?', [target.id])).toEqual([{ role: 'OPERATOR' }]);
  });

  it('lets only an account OWNER grant or take away network OWNER (an ADMIN cannot raise anyone, itself included, to OWNER)', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const admin = await addUser(gw, org, 'ADMIN');
    const colleague = await addUser(gw, org, 'MEMBER');
    for (const userId of [admin.id, colleague.id]) {
      const error = await admin.client.fails('FORBIDDEN', GrantNetworkRoleDocument, { input: { userId, consortiumId: c.id, role: 'OWNER' } });
      expect(error.extensions).toMatchObject({ kind: 'accountRole', need: 'OWNER', have: 'ADMIN' });
    }
    expect(await sql('select role from network_role where user_id in (?, ?)', [admin.id, colleague.id])).toEqual([]);
    await org.owner.client.ok(GrantNetworkRoleDocument, { input: { userId: colleague.id, consortiumId: c.id, role: 'OWNER' } });
    await admin.client.fails('FORBIDDEN', GrantNetworkRoleDocument, { input: { userId: colleague.id, consortiumId: c.id, role: 'ADMIN' } });
    await admin.client.fails('FORBIDDEN', RevokeNetworkRoleDocument, { userId: colleague.id, consortiumId: c.id });
    expect(await sql('select role from network_role where user_id = ?', [colleague.id])).toEqual([{ role: 'OWNER' }]);
  });

  it('is NOT_FOUND for a user of another organization, or a consortium the organization is not (or no longer) in', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const other = await memberOrganization(gw, c.id);
    await org.owner.client.fails('NOT_FOUND', GrantNetworkRoleDocument, {
      input: { userId: other.org.owner.id, consortiumId: c.id, role: 'ADMIN' },
    });
    await org.owner.client.fails('NOT_FOUND', GrantNetworkRoleDocument, {
      input: { userId: 'not-a-uuid', consortiumId: c.id, role: 'ADMIN' },
    });
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', GrantNetworkRoleDocument, {
      input: { userId: outsider.owner.id, consortiumId: c.id, role: 'ADMIN' },
    });
    // A FROZEN organization still belongs to the consortium but may grant nothing there (§8.1); a LEFT one does not belong.
    const colleague = await addUser(gw, other.org, 'MEMBER');
    await other.org.owner.client.ok(GrantNetworkRoleDocument, {
      input: { userId: colleague.id, consortiumId: c.id, role: 'ADMIN' },
    });
    await setMembershipStatus(other.membership.id, 'FROZEN');
    const frozen = await other.org.owner.client.fails('FORBIDDEN', GrantNetworkRoleDocument, {
      input: { userId: colleague.id, consortiumId: c.id, role: 'OPERATOR' },
    });
    expect(frozen.extensions).toMatchObject({ kind: 'status', have: 'FROZEN' });
    await other.org.owner.client.fails('FORBIDDEN', RevokeNetworkRoleDocument, { userId: colleague.id, consortiumId: c.id });
    expect(await consortiumEvents(c.id).then((events) => events.filter((e) => e.kind.startsWith('NETWORK_ROLE')).length)).toBe(1);
    await setMembershipStatus(other.membership.id, 'LEFT');
    await other.org.owner.client.fails('NOT_FOUND', GrantNetworkRoleDocument, {
      input: { userId: colleague.id, consortiumId: c.id, role: 'OWNER' },
    });
    await other.org.owner.client.fails('NOT_FOUND', RevokeNetworkRoleDocument, { userId: colleague.id, consortiumId: c.id });
    expect(await sql('select role from network_role where user_id = ?', [colleague.id])).toEqual([{ role: 'ADMIN' }]);
  });
});

describe('effective role (Layer B) through the API', () => {
  it('follows the priority table for every account role and network role', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const users = new Map<Role4, OrgUser>();
    for (const role of matrix.accountRoles) users.set(role, await addUser(gw, org, role));
    for (const network of [...matrix.networkRoles, 'NONE']) {
      await Promise.all(
        [...users].map(async ([account, user]) => {
          if (network === 'NONE') {
            await org.owner.client.ok(RevokeNetworkRoleDocument, { userId: user.id, consortiumId: c.id });
          } else {
            await org.owner.client.ok(GrantNetworkRoleDocument, {
              input: { userId: user.id, consortiumId: c.id, role: network as NetworkRole },
            });
          }
          if (network === 'NONE' && account === 'GUEST') {
            // §8.1: an account GUEST with no network role does not see the consortium at all.
            await user.client.fails('NOT_FOUND', ConsortiumByIdDocument, { id: c.id });
            return;
          }
          expect(await effectiveRoleOf(user, c.id), `${network} × ${account}`).toBe(matrix.effectiveRole[network][account]);
        }),
      );
    }
  });

  it('lets an account GUEST with network role ADMIN act as ADMIN (update), and a network OWNER delete', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const guest = await addUser(gw, org, 'GUEST');
    // §8.1: with no network role an account GUEST does not see the consortium; with network GUEST it sees it and may not change it.
    await guest.client.fails('NOT_FOUND', UpdateConsortiumDocument, { id: c.id, input: { name: 'by a guest' } });
    await org.owner.client.ok(GrantNetworkRoleDocument, { input: { userId: guest.id, consortiumId: c.id, role: 'GUEST' } });
    await guest.client.fails('FORBIDDEN', UpdateConsortiumDocument, { id: c.id, input: { name: 'by a guest' } });
    await org.owner.client.ok(GrantNetworkRoleDocument, { input: { userId: guest.id, consortiumId: c.id, role: 'ADMIN' } });
    await guest.client.ok(UpdateConsortiumDocument, { id: c.id, input: { name: 'by a network admin' } });
    const error = await guest.client.fails('FORBIDDEN', DeleteConsortiumDocument, { id: c.id });
    expect(error.extensions).toMatchObject({ kind: 'effectiveRole', need: 'OWNER', have: 'ADMIN' });
    await org.owner.client.ok(GrantNetworkRoleDocument, { input: { userId: guest.id, consortiumId: c.id, role: 'OWNER' } });
    await guest.client.ok(DeleteConsortiumDocument, { id: c.id });
  });
});
