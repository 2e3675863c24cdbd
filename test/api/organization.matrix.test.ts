// Layer A (governance.md §2) through the API: one test per cell of the expected-cells table's
// organizationActions (action × account role). What to expect comes from the matrix file only.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateConsortiumDocument,
  InviteUserDocument,
  OrganizationBillingDocument,
  OrganizationConsortiaDocument,
  OrganizationDocument,
  OrganizationUsersDocument,
  PurchaseLicensesDocument,
  RegisterServiceAccountDocument,
  RenameOrganizationDocument,
  ServiceAccountsDocument,
  UpdateBillingDocument,
} from '../generated/graphql';
import { matrix, type Role4 } from '../governance/matrix';
import type { GraphQLClient, Result } from '../support/client';
import { sql } from '../support/db';
import { addUser, createOrganization, seedMembership, type OrgUser, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';

// The expected cells are the repository's own test data (test/governance/expected-cells.json);
// the organizationActions table must be there and complete.
const ROLES = matrix.accountRoles;
const CELLS = Object.entries(matrix.organizationActions).flatMap(([action, row]) =>
  ROLES.map((role) => ({ action, role, allowed: row[role] })),
);

let gw: TestGateway;
let org: TestOrganization;
let consortiumId: string;
const users = {} as Record<Role4, OrgUser>;

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrganization(gw, { licenses: 3 });
  users.OWNER = org.owner;
  for (const role of ['ADMIN', 'MEMBER', 'GUEST'] as const) users[role] = await addUser(gw, org, role);
  await org.owner.client.ok(UpdateBillingDocument, {
    id: org.id,
    input: { contact: uniqueEmail('billing'), paymentMethod: 'VISA •••• 4242' },
  });
  // The organization belongs to one consortium; no user holds a network role there.
  ({ consortiumId } = await seedMembership(org.id));
});
afterAll(() => gw?.stop());

const orgRow = async () =>
  (await sql<Record<string, unknown>>('select name, plan, licenses, billing_contact, payment_method from organization where id = ?', [org.id]))[0];

/** What each action means as one concrete operation: run it, and check the effect when allowed. */
interface Operation {
  /** `verify` checks the effect of an allowed call: every operation names one, so no allowed cell passes unchecked. */
  run(client: GraphQLClient): Promise<{ result: Result<any>; verify: () => Promise<void> }>;
  /** For a refused mutation: nothing was written. */
  unchanged?: () => Promise<() => Promise<void>>;
  /** How the grid's N shows: a FORBIDDEN error (default), or a narrowed list. */
  denial?: 'narrowed';
}

const snapshotOrg = async () => {
  const before = await orgRow();
  return async () => expect(await orgRow()).toEqual(before);
};

const OPERATIONS: Record<string, Operation> = {
  'organization.view': {
    run: async (c) => {
      const result = await c.request(OrganizationDocument, { id: org.id });
      return { result, verify: async () => expect(result.data?.organization.id).toBe(org.id) };
    },
  },
  'organization.billing.view': {
    run: async (c) => {
      const result = await c.request(OrganizationBillingDocument, { id: org.id });
      return { result, verify: async () => expect(result.data?.organization.billing?.paymentMethod).toBe('VISA •••• 4242') };
    },
  },
  'organization.billing.update': {
    run: async (c) => {
      const contact = uniqueEmail('contact');
      const result = await c.request(UpdateBillingDocument, { id: org.id, input: { contact } });
      return { result, verify: async () => expect((await orgRow()).billing_contact).toBe(contact) };
    },
    unchanged: snapshotOrg,
  },
  'organization.rename': {
    run: async (c) => {
      const name = `Renamed ${randomUUID()}`;
      const result = await c.request(RenameOrganizationDocument, { id: org.id, name });
      return { result, verify: async () => expect((await orgRow()).name).toBe(name) };
    },
    unchanged: snapshotOrg,
  },
  'organization.users.list': {
    run: async (c) => {
      const result = await c.request(OrganizationUsersDocument, { id: org.id });
      const emails = () => result.data?.organization.users?.nodes.map((u) => u.email) ?? [];
      return { result, verify: async () => expect(emails()).toEqual(expect.arrayContaining(ROLES.map((r) => users[r].email))) };
    },
  },
  'organization.users.manage': {
    run: async (c) => {
      const email = uniqueEmail('invitee');
      const result = await c.request(InviteUserDocument, { organizationId: org.id, email, role: 'MEMBER' });
      const rows = () => sql('select 1 from app_user where email = ? and organization_id = ?', [email, org.id]);
      return { result, verify: async () => expect(await rows()).toHaveLength(1) };
    },
    unchanged: async () => {
      const before = await sql('select id from app_user where organization_id = ? order by id', [org.id]);
      return async () => expect(await sql('select id from app_user where organization_id = ? order by id', [org.id])).toEqual(before);
    },
  },
  'organization.licenses.manage': {
    run: async (c) => {
      const before = Number((await orgRow()).licenses);
      const result = await c.request(PurchaseLicensesDocument, { organizationId: org.id, count: 1 });
      return { result, verify: async () => expect(Number((await orgRow()).licenses)).toBe(before + 1) };
    },
    unchanged: snapshotOrg,
  },
  'organization.serviceAccounts.list': {
    run: async (c) => {
      const result = await c.request(ServiceAccountsDocument, {});
      const total = Number((await sql<{ n: number }>('select count(*)::int as n from service_account where organization_id = ?', [org.id]))[0].n);
      return { result, verify: async () => expect(result.data?.serviceAccounts.totalCount).toBe(total) };
    },
  },
  'organization.serviceAccounts.manage': {
    run: async (c) => {
      const clientId = `matrix-${randomUUID()}`;
      const result = await c.request(RegisterServiceAccountDocument, { input: { clientId, name: 'Matrix', accountRole: 'MEMBER' } });
      const rows = () => sql('select 1 from service_account where client_id = ? and organization_id = ?', [clientId, org.id]);
      return { result, verify: async () => expect(await rows()).toHaveLength(1) };
    },
    unchanged: async () => {
      const ids = () => sql('select id from service_account where organization_id = ? order by id', [org.id]);
      const before = await ids();
      return async () => expect(await ids()).toEqual(before);
    },
  },
  'organization.consortia.list': {
    // §2: "N (only those where the user holds a network role)": the full list is denied, and the
    // seeded consortium, where nobody holds a network role, must not show.
    denial: 'narrowed',
    run: async (c) => {
      const result = await c.request(OrganizationConsortiaDocument, { id: org.id });
      return { result, verify: async () => expect(result.data?.organization.consortia?.map((x) => x.id)).toContain(consortiumId) };
    },
  },
  'consortium.create': {
    run: async (c) => {
      const name = `matrix-${randomUUID().slice(0, 8)}`;
      const result = await c.request(CreateConsortiumDocument, { input: { name, description: 'from the matrix' } });
      return {
        result,
        verify: async () => {
          // The consortium exists, created by this organization, which holds its ADMINISTRATOR membership.
          const rows = await sql<{ creator: string; role: string }>(
            `select c.creator_organization_id as creator, m.role from consortium c join membership m on m.consortium_id = c.id
              where c.id = ? and m.organization_id = c.creator_organization_id`,
            [result.data?.createConsortium.id],
          );
          expect(rows).toEqual([{ creator: org.id, role: 'ADMINISTRATOR' }]);
        },
      };
    },
    unchanged: async () => {
      const count = async () => (await sql<{ n: number }>('select count(*)::int as n from consortium where creator_organization_id = ?', [org.id]))[0].n;
      const before = await count();
      return async () => expect(await count()).toBe(before);
    },
  },
};

describe('Layer A: every cell of organizationActions through the API', () => {
  it('maps every action of the matrix to an operation', () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(Object.keys(matrix.organizationActions).sort());
    expect(CELLS).toHaveLength(Object.keys(matrix.organizationActions).length * ROLES.length);
  });

  for (const { action, role, allowed } of CELLS) {
    const op = OPERATIONS[action];
    const outcome = allowed ? 'allowed' : op?.denial === 'narrowed' ? 'narrowed' : 'FORBIDDEN';
    it(`${action} as ${role}: ${outcome}`, async () => {
      const unchanged = !allowed && op.unchanged ? await op.unchanged() : undefined;
      const { result, verify } = await op.run(users[role].client);
      if (allowed) {
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        await verify();
        return;
      }
      if (op.denial === 'narrowed') {
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        expect(result.data?.organization.consortia?.map((x: { id: string }) => x.id)).not.toContain(consortiumId);
        return;
      }
      const error = result.errors?.[0];
      expect(error?.extensions?.code, JSON.stringify(result.errors)).toBe('FORBIDDEN');
      // The refusal names the role(s) that would have been allowed.
      for (const r of ROLES.filter((r) => matrix.organizationActions[action][r])) expect(error?.message).toContain(r);
      expect(error?.message).toContain(action);
      await unchanged?.();
    });
  }
});
