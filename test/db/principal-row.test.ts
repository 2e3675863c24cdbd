// The principal of every request is read by a statement of its own (src/auth/principal.ts). Its
// columns come from the entity metadata, so every stored property of the user and of the user's
// organization arrives: compared here with a fresh read by the ORM, property by property, as the
// metadata lists them. A column left out of the statement arrives undefined and fails this test.
import { randomUUID } from 'node:crypto';
import { ReferenceKind, type EntityMetadata } from '@mikro-orm/core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadPrincipal } from '../../src/auth/principal';
import { SqlReader } from '../../src/db/reader';
import { AccountRole, Plan } from '../../src/governance/roles';
import { Organization } from '../../src/modules/organization/organization.entity';
import { User } from '../../src/modules/user/user.entity';
import { testEm } from '../support/db';

const reader = new SqlReader(inject('databaseUrl'), 1);
afterAll(() => reader.close());

/** Every stored column property of an entity, as the metadata has it. */
function storedProps(meta: EntityMetadata<any>) {
  return meta.props.filter((p) => p.persist !== false && (p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE));
}

/** A property's value for comparison: a relation by its id. */
function valueOf(entity: Record<string, unknown>, prop: { name: string; kind: ReferenceKind }): unknown {
  const value = entity[prop.name] as { id?: unknown } | null | undefined;
  return prop.kind === ReferenceKind.MANY_TO_ONE ? (value === undefined ? undefined : (value?.id ?? null)) : value;
}

describe('the principal row', () => {
  it('holds every stored property of the user and the organization, as the ORM reads them, in the entities and in the snapshots', async () => {
    const setup = await testEm();
    const organization = setup.create(Organization, {
      name: `principal-${randomUUID()}`,
      plan: Plan.ENTERPRISE,
      licenses: 3,
      billingContact: 'billing@example.test',
      paymentMethod: 'card ending 4242',
    });
    const subject = `principal|${randomUUID()}`;
    const user = setup.create(User, {
      subject,
      email: `${randomUUID()}@example.test`,
      name: 'Principal Row',
      emailVerified: true,
      organization,
      accountRole: AccountRole.ADMIN,
    });
    await setup.flush();

    const em = await testEm();
    const principal = await loadPrincipal({ em }, em.getMetadata(), reader, { subject, email: user.email ?? null, name: user.name ?? null, expiresAt: null, emailVerified: true });
    expect(principal.rights).not.toBeNull();
    expect(principal.user).toEqual({ id: user.id, organizationId: organization.id, accountRole: AccountRole.ADMIN });
    const loadedUser = principal.entity(em);
    const loadedOrganization = em.getUnitOfWork().getById<Organization>(Organization.name, organization.id);
    expect(loadedOrganization, 'the organization is merged into the request').toBeDefined();

    const fresh = await testEm();
    const freshUser = await fresh.findOneOrFail(User, { id: user.id });
    const freshOrganization = await fresh.findOneOrFail(Organization, { id: organization.id });
    const snapshot = principal.snapshot();
    expect(snapshot, 'a principal read as a row has a snapshot').not.toBeNull();
    expect(snapshot!.user).toBeInstanceOf(User);
    expect(snapshot!.organization).toBeInstanceOf(Organization);
    expect(Object.isFrozen(snapshot!.user), 'a snapshot is read-only').toBe(true);
    const metadata = em.getMetadata();
    for (const [meta, loaded, expected] of [
      [metadata.get(User.name), loadedUser, freshUser],
      [metadata.get(Organization.name), loadedOrganization!, freshOrganization],
      [metadata.get(User.name), snapshot!.user, freshUser],
      [metadata.get(Organization.name), snapshot!.organization!, freshOrganization],
    ] as const) {
      const props = storedProps(meta);
      expect(props.length).toBeGreaterThan(5);
      for (const prop of props) {
        const want = valueOf(expected as unknown as Record<string, unknown>, prop);
        expect(want, `${meta.className}.${prop.name} is set in this test`).not.toBeNull();
        expect(valueOf(loaded as unknown as Record<string, unknown>, prop), `${meta.className}.${prop.name}`).toEqual(want);
      }
    }
  });
});
