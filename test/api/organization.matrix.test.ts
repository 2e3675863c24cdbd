// Layer A (governance.md §2) through the API: one test per cell of the expected-cells table's
// organizationActions (action × account role). What to expect comes from the matrix file only.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InviteUserDocument,
  OrganizationBillingDocument,
  OrganizationConsortiaDocument,
  OrganizationDocument,
  OrganizationUsersDocument,
  PurchaseLicensesDocument,
  RenameOrganizationDocument,
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

// The schema the API exposes now; createConsortium belongs to another module and may not exist yet.
const schema = buildSchema(fs.readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8'));
const hasField = (type: string, field: string): boolean => {
  const t = schema.getType(type);
  return isObjectType(t) && field in t.getFields();
};

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
  run(client: GraphQLClient): Promise<{ result: Result<any>; verify?: () => Promise<void> }>;
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
      const result = await c.request(createConsortiumOperation(), {});
      return { result };
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
    const pending = action === 'consortium.create' && !hasField('Mutation', 'createConsortium');
    const outcome = allowed ? 'allowed' : op?.denial === 'narrowed' ? 'narrowed' : 'FORBIDDEN';
    it.skipIf(pending)(`${action} as ${role}: ${outcome}`, async () => {
      const unchanged = !allowed && op.unchanged ? await op.unchanged() : undefined;
      const { result, verify } = await op.run(users[role].client);
      if (allowed) {
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        await verify?.();
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

/**
 * createConsortium is another module's: its argument shape is read from the schema and filled
 * with plausible values, so this cell runs once the mutation exists without knowing its input.
 */
function createConsortiumOperation(): string {
  const field = (schema.getMutationType()?.getFields() ?? {}).createConsortium;
  const literal = (type: GraphQLInputType, name: string): string | undefined => {
    if (!isNonNullType(type)) return undefined;
    const inner = type.ofType;
    if (isListType(inner)) return '[]';
    if (isInputObjectType(inner)) {
      const parts = Object.values(inner.getFields())
        .map((f) => [f.name, literal(f.type, f.name)] as const)
        .filter(([, v]) => v !== undefined)
        .map(([n, v]) => `${n}: ${v}`);
      return `{ ${parts.join(', ')} }`;
    }
    if (isEnumType(inner)) return inner.getValues()[0].name;
    if (isScalarType(inner) && (inner.name === 'Int' || inner.name === 'Float')) return '1';
    if (isScalarType(inner) && inner.name === 'Boolean') return 'false';
    return JSON.stringify(`${name} ${randomUUID().slice(0, 8)}`);
  };
  const args = field.args
    .map((a) => [a.name, literal(a.type, a.name)] as const)
    .filter(([, v]) => v !== undefined)
    .map(([n, v]) => `${n}: ${v}`);
  const returned = getNamedType(field.type);
  const selection = isObjectType(returned) ? ('id' in returned.getFields() ? '{ id }' : '{ __typename }') : '';
  return `mutation { createConsortium${args.length ? `(${args.join(', ')})` : ''} ${selection} }`;
}
