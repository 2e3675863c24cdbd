// Layer A organization (governance.md §2): licenses, billing, bad input, consortia, and the
// rule that another organization's data is NOT_FOUND whatever the path.
import { randomUUID } from 'node:crypto';
import { getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateOrganizationDocument,
  MyOrganizationBillingDocument,
  MyOrganizationDocument,
  OrganizationBillingDocument,
  OrganizationConsortiaDocument,
  OrganizationDocument,
  OrganizationLicensesDocument,
  PurchaseLicensesDocument,
  ReleaseLicensesDocument,
  RenameOrganizationDocument,
  UpdateBillingDocument,
} from '../generated/graphql';
import { buildContext } from '../../src/server';
import { Organization } from '../../src/modules/organization/organization.entity';
import { sql, testEm } from '../support/db';
import { addUser, createOrganization, seedMembership, seedNetworkRole, seedNodes } from '../support/factories/organization';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const orgRow = async (id: string) =>
  (await sql<Record<string, unknown>>('select name, plan, licenses, billing_contact, payment_method from organization where id = ?', [id]))[0];

describe('licenses', () => {
  it('counts RUNNING nodes as in use and never releases below that (CONFLICT naming the count)', async () => {
    const org = await createOrganization(gw, { licenses: 5 });
    const { consortiumId, membershipId } = await seedMembership(org.id);
    await seedNodes(membershipId, consortiumId, 3);
    await seedNodes(membershipId, consortiumId, 2, 'STOPPED');
    const admin = await addUser(gw, org, 'ADMIN');
    const { organization } = await admin.client.ok(OrganizationLicensesDocument, { id: org.id });
    expect(organization).toMatchObject({ licenses: 5, licensesInUse: 3 });

    const before = await orgRow(org.id);
    const error = await admin.client.fails('CONFLICT', ReleaseLicensesDocument, { organizationId: org.id, count: 3 });
    expect(error.message).toMatch(/3 of the organization's 5 licenses are in use/);
    expect(error.extensions).toMatchObject({ inUse: 3, licenses: 5, releasable: 2 });
    expect(await orgRow(org.id)).toEqual(before);

    const { releaseLicenses } = await admin.client.ok(ReleaseLicensesDocument, { organizationId: org.id, count: 2 });
    expect(releaseLicenses.licenses).toBe(3);
    await admin.client.fails('CONFLICT', ReleaseLicensesDocument, { organizationId: org.id, count: 1 });
    const { purchaseLicenses } = await admin.client.ok(PurchaseLicensesDocument, { organizationId: org.id, count: 10000 });
    expect(purchaseLicenses.licenses).toBe(10003);
  });

  it('concurrent releases never go below the licenses in use', async () => {
    const org = await createOrganization(gw, { licenses: 4 });
    const { consortiumId, membershipId } = await seedMembership(org.id);
    await seedNodes(membershipId, consortiumId, 2);
    const results = await Promise.all(
      [1, 2, 3].map(() => org.owner.client.request(ReleaseLicensesDocument, { organizationId: org.id, count: 1 })),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(2);
    expect((await orgRow(org.id)).licenses).toBe(2);
  });

  it('refuses zero, negative, too large and non-integer counts (BAD_USER_INPUT), changing nothing', async () => {
    const org = await createOrganization(gw, { licenses: 2 });
    const before = await orgRow(org.id);
    for (const count of [0, -1, -100, 10001, 2 ** 31, 1.5]) {
      await org.owner.client.fails('BAD_USER_INPUT', PurchaseLicensesDocument, { organizationId: org.id, count });
      await org.owner.client.fails('BAD_USER_INPUT', ReleaseLicensesDocument, { organizationId: org.id, count });
    }
    expect(await orgRow(org.id)).toEqual(before);
  });
});

describe('billing', () => {
  it('stores a billing contact, a masked payment method and the plan (OWNER)', async () => {
    const org = await createOrganization(gw);
    const contact = uniqueEmail('ap');
    const { updateBilling } = await org.owner.client.ok(UpdateBillingDocument, {
      id: org.id,
      input: { contact: `  ${contact.toUpperCase()} `, paymentMethod: 'VISA •••• 4242', plan: 'ENTERPRISE' },
    });
    expect(updateBilling).toMatchObject({ plan: 'ENTERPRISE', billing: { contact, paymentMethod: 'VISA •••• 4242' } });
    // Omitted fields stay as they are.
    await org.owner.client.ok(UpdateBillingDocument, { id: org.id, input: { paymentMethod: 'Mastercard **** 1881' } });
    expect(await orgRow(org.id)).toMatchObject({ plan: 'ENTERPRISE', billing_contact: contact, payment_method: 'Mastercard **** 1881' });
  });

  it('refuses a bad contact and anything that is not a masked card (BAD_USER_INPUT), changing nothing', async () => {
    const org = await createOrganization(gw);
    await org.owner.client.ok(UpdateBillingDocument, { id: org.id, input: { contact: uniqueEmail('ap'), paymentMethod: 'VISA •••• 4242' } });
    const before = await orgRow(org.id);
    for (const contact of ['', 'accounts payable', 'ap@', '@example.test']) {
      const error = await org.owner.client.fails('BAD_USER_INPUT', UpdateBillingDocument, { id: org.id, input: { contact, plan: 'ENTERPRISE' } });
      expect(error.extensions?.field).toBe('contact');
    }
    for (const paymentMethod of ['4242424242424242', '4242 4242 4242 4242', 'VISA 4242-4242-4242-4242', 'VISA 424242424242', '', 'VISA']) {
      const error = await org.owner.client.fails('BAD_USER_INPUT', UpdateBillingDocument, {
        id: org.id,
        input: { paymentMethod, plan: 'ENTERPRISE' },
      });
      expect(error.extensions?.field).toBe('paymentMethod');
    }
    expect(await orgRow(org.id)).toEqual(before);
  });
});

describe('names', () => {
  it('refuses blank or overlong names (BAD_USER_INPUT), changing nothing', async () => {
    const org = await createOrganization(gw);
    const before = await orgRow(org.id);
    for (const name of ['', '   ', '\t\n', 'x'.repeat(201)]) {
      const error = await org.owner.client.fails('BAD_USER_INPUT', RenameOrganizationDocument, { id: org.id, name });
      expect(error.extensions?.field).toBe('name');
    }
    expect(await orgRow(org.id)).toEqual(before);
    const { renameOrganization } = await org.owner.client.ok(RenameOrganizationDocument, { id: org.id, name: '  Trimmed  ' });
    expect(renameOrganization.name).toBe('Trimmed');
  });

  it('refuses to create an organization with a blank name, leaving the user without one', async () => {
    const email = uniqueEmail('blank');
    const client = gw.as(email);
    await client.fails('BAD_USER_INPUT', CreateOrganizationDocument, { input: { name: '   ' } });
    expect((await client.ok(MyOrganizationDocument)).me.organization).toBeNull();
    expect(await sql("select 1 from app_user where email = ? and organization_id is not null", [email])).toHaveLength(0);
  });
});

describe('another organization', () => {
  it('is NOT_FOUND to every query and mutation, as is an unknown id, and nothing changes', async () => {
    const mine = await createOrganization(gw);
    const theirs = await createOrganization(gw, { licenses: 2 });
    await theirs.owner.client.ok(UpdateBillingDocument, { id: theirs.id, input: { contact: uniqueEmail('secret'), paymentMethod: 'AMEX •••• 1005' } });
    const before = await orgRow(theirs.id);
    for (const id of [theirs.id, randomUUID(), 'not-a-uuid']) {
      const c = mine.owner.client;
      await c.fails('NOT_FOUND', OrganizationDocument, { id });
      const billing = await c.request(OrganizationBillingDocument, { id });
      expect(billing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(JSON.stringify(billing)).not.toContain('AMEX');
      await c.fails('NOT_FOUND', RenameOrganizationDocument, { id, name: 'Hijacked' });
      await c.fails('NOT_FOUND', UpdateBillingDocument, { id, input: { paymentMethod: 'VISA •••• 0000' } });
      await c.fails('NOT_FOUND', PurchaseLicensesDocument, { organizationId: id, count: 1 });
      await c.fails('NOT_FOUND', ReleaseLicensesDocument, { organizationId: id, count: 1 });
      await c.fails('NOT_FOUND', OrganizationConsortiaDocument, { id });
    }
    expect(await orgRow(theirs.id)).toEqual(before);
  });

  it('is NOT_FOUND to a user who belongs to no organization', async () => {
    const theirs = await createOrganization(gw);
    const loner = gw.as(uniqueEmail('loner'));
    await loner.fails('NOT_FOUND', OrganizationDocument, { id: theirs.id });
    await loner.fails('NOT_FOUND', PurchaseLicensesDocument, { organizationId: theirs.id, count: 1 });
    expect((await loner.ok(MyOrganizationBillingDocument)).me.organization).toBeNull();
  });

  it("refuses every guarded field of an Organization that is not the caller's, whatever path reached it", async () => {
    // No path of this module leads to another organization; other modules' will (a membership's
    // organization). The guarded fields are called on the served schema with a foreign parent.
    const mine = await createOrganization(gw);
    const theirs = await createOrganization(gw, { licenses: 1 });
    const em = await testEm();
    const foreign = await em.findOneOrFail(Organization, { id: theirs.id });
    const own = await em.findOneOrFail(Organization, { id: mine.id });
    const identity = { subject: `test|${mine.owner.email}`, email: mine.owner.email, name: null };
    const type = gw.app.gateway.schema.getType('Organization');
    if (!isObjectType(type)) throw new Error('Organization is not an object type');
    const guarded = ['billing', 'users', 'consortia', 'licenses', 'licensesInUse'];
    for (const name of guarded) {
      const field = type.getFields()[name];
      // An info as the executor gives it, selecting nothing below the field.
      const info = { fieldName: name, fieldNodes: [], fragments: {}, variableValues: {}, parentType: type, returnType: field.type, path: { key: name } } as never;
      const call = async (parent: Organization) => {
        const ctx = await buildContext(gw.app.services, identity as never, randomUUID());
        try {
          return await field.resolve!(parent, {}, ctx, info);
        } catch (error) {
          return error;
        }
      };
      const refused = await call(foreign);
      expect(refused, name).toBeInstanceOf(Error);
      expect((refused as { code?: string }).code, name).toBe('NOT_FOUND');
      expect(await call(own), name).not.toBeInstanceOf(Error);
    }
    expect(getNamedType(type.getFields().billing.type).name).toBe('Billing');
  });
});

describe('consortia of the organization', () => {
  it('lists current memberships for a MEMBER; a GUEST sees only those where they hold a network role', async () => {
    const org = await createOrganization(gw);
    const member = await addUser(gw, org, 'MEMBER');
    const guest = await addUser(gw, org, 'GUEST');
    const a = await seedMembership(org.id);
    const b = await seedMembership(org.id, { status: 'FROZEN' });
    const left = await seedMembership(org.id, { status: 'LEFT' });
    await sql('update consortium set deleted_at = now() where id = ?', [(await seedMembership(org.id)).consortiumId]);
    await seedNetworkRole(guest.id, b.consortiumId, 'GUEST');
    await seedNetworkRole(guest.id, left.consortiumId, 'OWNER');

    const ids = async (client: typeof member.client) =>
      ((await client.ok(OrganizationConsortiaDocument, { id: org.id })).organization.consortia ?? []).map((c) => c.id).sort();
    expect(await ids(member.client)).toEqual([a.consortiumId, b.consortiumId].sort());
    expect(await ids(guest.client)).toEqual([b.consortiumId]);
  });
});
