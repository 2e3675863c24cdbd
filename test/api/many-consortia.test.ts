// A caller whose organization belongs to more consortia than the principal statement reads rights
// for (PRELOADED_RIGHTS): a request about one consortium reads the rights in that consortium
// only, so its cost does not grow with the organization's memberships, and every answer and
// refusal is the one a gateway reading all the rights gives (the deferring source reads them all).
import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRELOADED_RIGHTS, RIGHTS_WHEN_NEEDED } from '../../src/auth/authz';
import { ConsortiumByIdDocument, MyConsortiaDocument, MyPermissionsDocument } from '../generated/graphql';
import { createTestConsortium, memberOrganization } from '../support/factories/consortium';
import { addUser, createOrganization, seedMembership, seedNetworkRole, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { sql } from '../support/db';
import { countSql } from '../support/sql-counter';
import { codeOf, openSocket } from '../support/ws-operation';

let real: TestGateway;
let readsAll: TestGateway;
beforeAll(async () => {
  real = await startTestGateway();
  readsAll = await startTestGateway({}, { rights: RIGHTS_WHEN_NEEDED });
});
afterAll(async () => {
  await real?.stop();
  await readsAll?.stop();
});

/** Statements that read the organization's memberships for rights: all of them, or those in some consortia (`any($3…)`). */
const rightsReads = (statements: string[]) => statements.filter((s) => /\bnetwork_roles\b/.test(s) && !/from "app_user" u\b/.test(s));
const scoped = (s: string) => /consortium_id = any\(\$3::uuid\[\]\)/.test(s);

/**
 * ConsortiumByIdDocument as a text the gateway has not run yet: the first time an operation runs,
 * the principal reads all the rights (see rights-source.test.ts for what it learns from it).
 */
const unseenConsortiumById = () => `${print(ConsortiumByIdDocument)}\n# ${randomUUID()}`;

/** An organization with `extra` more memberships (seeded), beside one consortium it created through the API. */
async function organizationIn(extra: number): Promise<{ org: TestOrganization; consortiumId: string; userId: string }> {
  const org = await createOrganization(real);
  const c = await createTestConsortium(org.owner);
  for (let i = 0; i < extra; i++) await seedMembership(org.id);
  return { org, consortiumId: c.id, userId: org.owner.id };
}

describe('an organization in many consortia', () => {
  it(`reads the rights with the principal up to ${PRELOADED_RIGHTS} memberships, and only the consortium's own beyond`, async () => {
    const small = await organizationIn(PRELOADED_RIGHTS - 1); // exactly PRELOADED_RIGHTS in all
    const atLimit = await countSql(real, () => small.org.owner.client.ok(unseenConsortiumById(), { id: small.consortiumId }));
    expect(rightsReads(atLimit.statements)).toEqual([]);

    const large = await organizationIn(PRELOADED_RIGHTS); // one more
    const beyond = await countSql(real, () => large.org.owner.client.ok(unseenConsortiumById(), { id: large.consortiumId }));
    const reads = rightsReads(beyond.statements);
    expect(reads).toHaveLength(1);
    expect(scoped(reads[0])).toBe(true);
    expect(beyond.count).toBe(atLimit.count + 1);
    expect(beyond.result).toEqual(await readsAll.as(large.org.owner.email).ok(ConsortiumByIdDocument, { id: large.consortiumId }));
    expect(beyond.result).toMatchObject({ consortium: { id: large.consortiumId, myEffectiveRole: 'OWNER', myMemberships: [{ role: 'ADMINISTRATOR', status: 'ACTIVE' }] } });
  });

  it(`reads them per consortium too for a user with more than ${PRELOADED_RIGHTS} network roles`, async () => {
    const org = await createOrganization(real);
    const c = await createTestConsortium(org.owner);
    for (let i = 0; i <= PRELOADED_RIGHTS; i++) {
      const id = randomUUID();
      await sql('insert into consortium (id, name, creator_organization_id) values (?, ?, ?)', [id, `roles ${id.slice(0, 8)}`, org.id]);
      await seedNetworkRole(org.owner.id, id, 'GUEST');
    }
    const counted = await countSql(real, () => org.owner.client.ok(unseenConsortiumById(), { id: c.id }));
    const reads = rightsReads(counted.statements);
    expect(reads).toHaveLength(1);
    expect(scoped(reads[0])).toBe(true);
    expect(counted.result).toEqual(await readsAll.as(org.owner.email).ok(ConsortiumByIdDocument, { id: c.id }));
    expect(counted.result).toMatchObject({ consortium: { myEffectiveRole: 'OWNER' } });
  });

  it('gives the same answers and refusals as reading every right, over HTTP and WebSocket', async () => {
    const large = await organizationIn(PRELOADED_RIGHTS + 5);
    // A consortium where another organization (also in many consortia) is a plain member, a MEMBER of it an ADMIN on the network (effective role ADMIN).
    const other = await createOrganization(real);
    const elsewhere = await createTestConsortium(other.owner);
    const { org: member } = await memberOrganization(real, elsewhere.id, { permissions: [] });
    const stranger = await createOrganization(real);
    const foreign = await createTestConsortium(stranger.owner);
    const seated = await addUser(real, member, 'MEMBER');
    await seedNetworkRole(seated.id, elsewhere.id, 'ADMIN');
    for (let i = 0; i < PRELOADED_RIGHTS + 2; i++) await seedMembership(member.id);

    for (const [user, consortiumId] of [
      [large.org.owner, large.consortiumId],
      [seated, elsewhere.id],
    ] as const) {
      const viaAll = readsAll.as(user.email);
      const asked = [
        () => user.client.ok(ConsortiumByIdDocument, { id: consortiumId }),
        () => viaAll.ok(ConsortiumByIdDocument, { id: consortiumId }),
        () => user.client.ok(MyPermissionsDocument, { consortiumId }),
        () => viaAll.ok(MyPermissionsDocument, { consortiumId }),
      ] as const;
      for (let i = 0; i < asked.length; i += 2) {
        const counted = await countSql(real, asked[i] as () => Promise<unknown>);
        expect(rightsReads(counted.statements).every(scoped)).toBe(true);
        expect(counted.result).toEqual(await asked[i + 1]());
      }
      // A consortium it has no membership in does not exist for it.
      await user.client.fails('NOT_FOUND', ConsortiumByIdDocument, { id: foreign.id });
      await viaAll.fails('NOT_FOUND', ConsortiumByIdDocument, { id: foreign.id });
    }
    // A plain member without the permission is refused a change, with the same refusal.
    const rename = 'mutation($id: ID!) { updateConsortium(id: $id, input: { description: "renamed" }) { id } }';
    const refused = await seated.client.fails('FORBIDDEN', rename, { id: elsewhere.id });
    const refusedAll = await readsAll.as(seated.email).fails('FORBIDDEN', rename, { id: elsewhere.id });
    expect(refused.message).toBe(refusedAll.message);

    const socket = await openSocket(real, await real.tokenFor(seated.email));
    try {
      const over = await socket.run(`{ consortium(id: "${elsewhere.id}") { id myEffectiveRole myMemberships { id role } } }`);
      expect(over).toMatchObject({ kind: 'result', result: { data: { consortium: { id: elsewhere.id, myEffectiveRole: 'ADMIN', myMemberships: [{ role: 'MEMBER' }] } } } });
      expect(codeOf(await socket.run(`{ consortium(id: "${foreign.id}") { id } }`))).toBe('NOT_FOUND');
    } finally {
      await socket.dispose();
    }
  });

  it('still lists every consortium of the organization (the list reads them all)', async () => {
    const large = await organizationIn(PRELOADED_RIGHTS + 5);
    const first = await large.org.owner.client.ok(MyConsortiaDocument, { first: 50 });
    expect(first.consortia.totalCount).toBe(PRELOADED_RIGHTS + 6);
    expect(first.consortia.nodes).toHaveLength(50);
    expect(first.consortia.pageInfo.hasNextPage).toBe(true);
    expect(first).toEqual(await readsAll.as(large.org.owner.email).ok(MyConsortiaDocument, { first: 50 }));
  });
});
