import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyPermissionsDocument, PermissionGridDocument, UpdateConsortiumDocument, UpdateEnvironmentSecurityDocument } from '../generated/graphql';
import { ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS, CONSORTIUM_ACTION_KEYS, expectedByAccountRole, expectedConsortium, matrix, type Expected, type Role4 } from '../governance/matrix';
import { createTestConsortium, joinAsMember, memberOrganization, setMembershipStatus } from '../support/factories/consortium';
import { addUser, createOrganization, seedNetworkRole, type OrgUser } from '../support/factories/organization';
import { addSeat, createEnv, newConsortium, seatUser } from '../support/factories/resources';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const ALL_FOUR = matrix.permissions;

interface Seat {
  role: 'ADMINISTRATOR' | 'MEMBER';
  held: readonly string[];
  effective: Role4;
  /** The caller's account role, which alone decides the §8.2 security editing row. */
  account: Role4;
  status: string;
}

/** What myPermissions lists, in order: the Layer C actions, then those decided by account role alone (§8.2). */
const LISTED = [...CONSORTIUM_ACTION_KEYS, ...ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS];

function expectedFor(action: string, seat: Seat): Expected {
  return ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS.includes(action)
    ? expectedByAccountRole(action, seat.role, seat.held, seat.account, seat.status)
    : expectedConsortium(matrix.consortiumActions[action], seat.role, seat.held, seat.effective, seat.status);
}

/** Asserts that myPermissions answers, for every action, what the spec's matrix expects. */
async function expectMatrix(user: OrgUser, consortiumId: string, seat: Seat, membershipId?: string) {
  const { myPermissions } = await user.client.ok(MyPermissionsDocument, { consortiumId, membershipId });
  expect(myPermissions.map((p) => p.action)).toEqual(LISTED);
  for (const p of myPermissions) {
    const expected = expectedFor(p.action, seat);
    expect(p.allowed, `${p.action}: ${p.reason}`).toBe(expected.allowed);
    if (!expected.allowed) {
      expect(p.missing?.kind, p.action).toBe(expected.kind);
      if (expected.need) expect(p.missing?.need, p.action).toBe(expected.need);
      expect(p.reason).toBeTruthy();
    } else {
      expect(p.reason).toBeNull();
      expect(p.missing).toBeNull();
    }
  }
  return myPermissions;
}

describe('myPermissions', () => {
  it('answers every action as the matrix does, for administrators, members, frozen seats and each effective role', async () => {
    const creator = await createOrganization(gw);
    const c = await createTestConsortium(creator.owner);
    await expectMatrix(creator.owner, c.id, { role: 'ADMINISTRATOR', held: ALL_FOUR, effective: 'OWNER', account: 'OWNER', status: 'ACTIVE' });
    const admin = await addUser(gw, creator, 'ADMIN');
    await expectMatrix(admin, c.id, { role: 'ADMINISTRATOR', held: ALL_FOUR, effective: 'ADMIN', account: 'ADMIN', status: 'ACTIVE' });

    const member = await memberOrganization(gw, c.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    const seat: Seat = { role: 'MEMBER', held: ['INVITE_ORGANIZATIONS'], effective: 'OWNER', account: 'OWNER', status: 'ACTIVE' };
    const answers = await expectMatrix(member.org.owner, c.id, seat);
    expect(answers.find((p) => p.action === 'environment.create')?.missing).toEqual({
      kind: 'permission',
      need: 'MANAGE_ENVIRONMENTS',
      have: 'INVITE_ORGANIZATIONS',
    });
    const guest = await addUser(gw, member.org, 'GUEST');
    // §8.1: an account GUEST sees the consortium only with a network role there.
    await guest.client.fails('NOT_FOUND', MyPermissionsDocument, { consortiumId: c.id });
    await seedNetworkRole(guest.id, c.id, 'GUEST');
    await expectMatrix(guest, c.id, { ...seat, effective: 'GUEST', account: 'GUEST' });

    await setMembershipStatus(member.membership.id, 'FROZEN');
    await expectMatrix(member.org.owner, c.id, { ...seat, status: 'FROZEN' });
  });

  it('agrees with enforcement: what it allows succeeds, what it refuses fails', async () => {
    const creator = await createOrganization(gw);
    const c = await createTestConsortium(creator.owner);
    const users = [
      creator.owner,
      await addUser(gw, creator, 'ADMIN'),
      await addUser(gw, creator, 'MEMBER'),
      (await memberOrganization(gw, c.id)).org.owner,
      (await memberOrganization(gw, c.id, { role: 'ADMINISTRATOR', status: 'FROZEN' })).org.owner,
    ];
    for (const user of users) {
      const { myPermissions } = await user.client.ok(MyPermissionsDocument, { consortiumId: c.id });
      const claimed = myPermissions.find((p) => p.action === 'consortium.update')!;
      const result = await user.client.request(UpdateConsortiumDocument, { id: c.id, input: { description: uniqueEmail('d') } });
      expect(result.errors === undefined, `${user.email}: ${JSON.stringify(result.errors)}`).toBe(claimed.allowed);
      if (!claimed.allowed) expect(result.errors?.[0].extensions?.kind).toBe(claimed.missing?.kind);
    }
  });

  it('lists security editing (§8.2, account role alone) with need and have, and agrees with enforcement', async () => {
    const c = await newConsortium(gw);
    const envId = await createEnv(c.admin.owner.client, c.consortiumId);
    const manager = await addSeat(gw, c, { permissions: ['MANAGE_ENVIRONMENTS'] });
    const plain = await addSeat(gw, c);
    // [user, expected missing (null = allowed)]
    const cases: [OrgUser, { kind: string; need: string; have: string } | null][] = [
      [c.admin.owner, null],
      [await seatUser(gw, c.admin, 'ADMIN'), null],
      // A network OWNER is effective OWNER everywhere else, but no network role grants security editing.
      [await seatUser(gw, c.admin, 'MEMBER', 'OWNER'), { kind: 'accountRole', need: 'OWNER or ADMIN', have: 'MEMBER' }],
      [await seatUser(gw, c.admin, 'GUEST', 'OWNER'), { kind: 'accountRole', need: 'OWNER or ADMIN', have: 'GUEST' }],
      [manager.owner, null],
      [plain.owner, { kind: 'permission', need: 'MANAGE_ENVIRONMENTS', have: 'none' }],
    ];
    for (const [user, missing] of cases) {
      const { myPermissions } = await user.client.ok(MyPermissionsDocument, { consortiumId: c.consortiumId });
      const shown = myPermissions.find((p) => p.action === 'environment.security.update');
      expect(shown, `${user.email}: security editing is listed`).toBeDefined();
      expect(shown!.allowed, user.email).toBe(missing === null);
      expect(shown!.missing, user.email).toEqual(missing);
      const result = await user.client.request(UpdateEnvironmentSecurityDocument, { id: envId, input: { allowList: [], tls: {} } });
      expect(result.errors === undefined, `${user.email}: ${JSON.stringify(result.errors)}`).toBe(missing === null);
      if (missing) expect(result.errors?.[0].extensions).toMatchObject(missing);
    }
    await setMembershipStatus(manager.membershipId, 'FROZEN');
    const { myPermissions } = await manager.owner.client.ok(MyPermissionsDocument, { consortiumId: c.consortiumId });
    expect(myPermissions.find((p) => p.action === 'environment.security.update')?.missing).toEqual({ kind: 'status', need: 'ACTIVE', have: 'FROZEN' });
  });

  it('explains the membership named, even a LEFT one of an organization that is still a member', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const memberSeat = await joinAsMember(gw, c.id, org, { permissions: ['MULTIPLE_MEMBERSHIPS'] });
    const adminSeat = { role: 'ADMINISTRATOR', held: ALL_FOUR, effective: 'OWNER', account: 'OWNER', status: 'ACTIVE' } as const;
    await expectMatrix(org.owner, c.id, adminSeat);
    await expectMatrix(org.owner, c.id, adminSeat, c.membershipId);
    await expectMatrix(org.owner, c.id, { role: 'MEMBER', held: ['MULTIPLE_MEMBERSHIPS'], effective: 'OWNER', account: 'OWNER', status: 'ACTIVE' }, memberSeat.id);
    await setMembershipStatus(memberSeat.id, 'LEFT');
    await expectMatrix(org.owner, c.id, { role: 'MEMBER', held: ['MULTIPLE_MEMBERSHIPS'], effective: 'OWNER', account: 'OWNER', status: 'LEFT' }, memberSeat.id);
    const other = await memberOrganization(gw, c.id);
    await org.owner.client.fails('NOT_FOUND', MyPermissionsDocument, { consortiumId: c.id, membershipId: other.membership.id });
  });

  it('is NOT_FOUND for outsiders and LEFT organizations, UNAUTHENTICATED for anonymous callers', async () => {
    const creator = await createOrganization(gw);
    const c = await createTestConsortium(creator.owner);
    const left = await memberOrganization(gw, c.id, { status: 'LEFT' });
    await left.org.owner.client.fails('NOT_FOUND', MyPermissionsDocument, { consortiumId: c.id });
    await (await createOrganization(gw)).owner.client.fails('NOT_FOUND', MyPermissionsDocument, { consortiumId: c.id });
    await gw.anonymous().fails('UNAUTHENTICATED', MyPermissionsDocument, { consortiumId: c.id });
  });
});

describe('permissionGrid', () => {
  it('publishes the three layers exactly as the spec matrix has them, to any signed-in user', async () => {
    const { permissionGrid: grid } = await gw.as(uniqueEmail('reader')).ok(PermissionGridDocument);
    const rolesOf = (cells: Record<Role4, boolean>) => matrix.accountRoles.filter((r) => cells[r]);
    expect(Object.fromEntries(grid.organizationActions.map((a) => [a.action, [...a.allowedRoles]]))).toEqual(
      Object.fromEntries(Object.entries(matrix.organizationActions).map(([action, cells]) => [action, rolesOf(cells)])),
    );
    expect(Object.fromEntries(grid.towardsConsortiumActions.map((a) => [a.action, [...a.allowedRoles]]))).toEqual(
      Object.fromEntries(Object.entries(matrix.organizationTowardsConsortium).map(([action, cell]) => [action, cell.accountRoles])),
    );
    const table = Object.fromEntries(
      grid.effectiveRoles.map((row) => [row.networkRole ?? 'NONE', Object.fromEntries(row.cells.map((c) => [c.accountRole, c.effectiveRole]))]),
    );
    const { description: _d, ...expectedTable } = matrix.effectiveRole as Record<string, unknown>;
    expect(table).toEqual(expectedTable);
    expect(
      Object.fromEntries(
        grid.consortiumActions.map((a) => [
          a.action,
          { ADMINISTRATOR: a.administrator, MEMBER: a.member, minRole: a.minRole, frozenAllowed: a.frozenAllowed },
        ]),
      ),
    ).toEqual(
      Object.fromEntries(
        Object.entries(matrix.consortiumActions).map(([action, cell]) => [action, { ...cell, MEMBER: String(cell.MEMBER) }]),
      ),
    );
    const signer = grid.consortiumActions.find((a) => a.action === 'node.createSigner');
    expect(signer?.memberPermission).toBe('CREATE_SIGNERS');
  });

  it('is refused to anonymous callers', async () => {
    await gw.anonymous().fails('UNAUTHENTICATED', PermissionGridDocument);
  });
});
