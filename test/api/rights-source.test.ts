// The rights source is chosen at the composition root: the gateway reads the caller's rights in
// the principal's own statement (unless the operation asked for none the last time it ran); a
// source that defers them reads them at the first decision that needs them, and every answer
// stays the same.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RIGHTS_WHEN_NEEDED } from '../../src/auth/authz';
import { watchStatements } from '../../src/db/reader';
import { ConsortiumByIdDocument, MeDocument, MyPermissionsDocument, UpdateVotingPolicyDocument } from '../generated/graphql';
import { addSeat, newConsortium } from '../support/factories/resources';
import { seedMembership } from '../support/factories/organization';
import { createTestConsortium, memberOrganization } from '../support/factories/consortium';
import { createOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { countSql } from '../support/sql-counter';
import { openSocket } from '../support/ws-operation';

const WHEN_NEEDED = RIGHTS_WHEN_NEEDED;
/** The rights columns' mark in a statement (see rightsColumns). */
const readsRights = (statement: string) => /\bnetwork_roles\b/.test(statement);
/** A principal statement reading the rights in the one consortium its `$2` names (RIGHTS_IN_ONE_CONSORTIUM). */
const readsOneConsortium = (statement: string) => /from "app_user" u\b/.test(statement) && /= any\(array\[\$2::uuid\]\)/.test(statement);
/** A document as a text the gateway has not run yet (it learns per text). */
const unseen = <T>(document: TypedDocumentNode<T, never>) => `${print(document)}\n# ${randomUUID()}` as unknown as TypedDocumentNode<T, Record<string, unknown>>;

let real: TestGateway;
let deferring: TestGateway;
beforeAll(async () => {
  real = await startTestGateway();
  deferring = await startTestGateway({}, { rights: WHEN_NEEDED });
});
afterAll(async () => {
  await real?.stop();
  await deferring?.stop();
});

describe('the rights source', () => {
  it('reads the rights with the principal, until an operation shows it asks for none; a deferring source reads none for me', async () => {
    const org = await createOrganization(real);
    const first = await countSql(real, () => org.owner.client.ok(MeDocument));
    expect(first.statements.filter(readsRights)).toHaveLength(1);
    // `me` decided nothing with them: from now on its principal comes without them.
    const again = await countSql(real, () => org.owner.client.ok(MeDocument));
    expect(again.count).toBe(1);
    expect(again.statements.filter(readsRights)).toHaveLength(0);
    expect(again.result).toEqual(first.result);

    const viaDeferring = deferring.as(org.owner.email);
    const deferred = await countSql(deferring, () => viaDeferring.ok(MeDocument));
    expect(deferred.statements.filter(readsRights)).toHaveLength(0);
    expect(deferred.result).toEqual(first.result);
  });

  it('keeps reading them with the principal for an operation that decides with them', async () => {
    const org = await createOrganization(real);
    const c = await createTestConsortium(org.owner);
    for (let i = 0; i < 3; i++) {
      const counted = await countSql(real, () => org.owner.client.ok(ConsortiumByIdDocument, { id: c.id }));
      expect(counted.statements.filter(readsRights), counted.statements.join('\n')).toHaveLength(1);
      expect(counted.statements[0]).toMatch(/\bnetwork_roles\b/);
    }
  });

  it('reads them when a decision needs them after all, with the same answers and refusals, and with the principal again next time', async () => {
    const creator = await createOrganization(real);
    const c = await createTestConsortium(creator.owner);
    const outsider = await createOrganization(real);
    // The same text: without the consortium it decides nothing; with it, it needs the rights.
    const query = 'query($id: ID!, $with: Boolean!) { me { id } consortium(id: $id) @include(if: $with) { id name } }';
    const without = await countSql(real, () => creator.owner.client.ok(query, { id: c.id, with: false }));
    expect(without.result).toMatchObject({ me: { id: expect.any(String) } });
    expect(without.result).not.toHaveProperty('consortium');

    const needed = await countSql(real, () => creator.owner.client.ok(query, { id: c.id, with: true }));
    expect(needed.result).toMatchObject({ consortium: { id: c.id } });
    expect(needed.statements.filter(readsRights), needed.statements.join('\n')).toHaveLength(1);
    expect(needed.statements[0]).not.toMatch(/\bnetwork_roles\b/); // the principal came without them
    await outsider.owner.client.fails('NOT_FOUND', query, { id: c.id, with: true });

    const next = await countSql(real, () => creator.owner.client.ok(query, { id: c.id, with: true }));
    expect(next.statements[0]).toMatch(/\bnetwork_roles\b/);
    expect(next.count).toBe(needed.count - 1);
  });

  it('once an operation asked about the one consortium a variable names, reads the rights in the consortium it names each time', async () => {
    const creator = await newConsortium(real);
    await creator.admin.owner.client.ok(UpdateVotingPolicyDocument, {
      input: { consortiumId: creator.consortiumId, thresholdPercent: 50, comparator: 'GREATER_THAN', durationHours: 24, needsVote: ['INVITE'] },
    });
    const user = creator.admin.owner;
    // Another consortium the organization is a plain member of, and one it is no member of.
    const other = await newConsortium(real);
    await addSeat(real, other, { org: creator.admin.org });
    const foreign = await newConsortium(real);
    for (let i = 0; i < 3; i++) await seedMembership(creator.admin.org.id);

    const query = unseen(MyPermissionsDocument);
    const first = await countSql(real, () => user.client.ok(query, { consortiumId: creator.consortiumId }));
    expect(first.statements.filter(readsRights)).toHaveLength(1);
    expect(readsOneConsortium(first.statements[0])).toBe(false);
    for (const consortiumId of [creator.consortiumId, other.consortiumId, creator.consortiumId]) {
      const counted = await countSql(real, () => user.client.ok(query, { consortiumId }));
      expect(counted.statements.filter(readsRights), counted.statements.join('\n')).toHaveLength(1);
      expect(readsOneConsortium(counted.statements[0])).toBe(true);
      expect(counted.count).toBe(first.count);
      expect(counted.result).toEqual(await deferring.as(user.email).ok(MyPermissionsDocument, { consortiumId }));
    }
    // The voting policy came with them: inviting goes through a proposal in the first consortium only.
    const allowed = async (consortiumId: string) => (await user.client.ok(query, { consortiumId })).myPermissions.find((p) => p.action === 'organization.invite');
    expect(await allowed(creator.consortiumId)).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
    expect(await allowed(other.consortiumId)).toMatchObject({ allowed: false, missing: { kind: 'permission' } });
    // A consortium it is no member of does not exist for it; nor does a malformed id, for which all the rights are read.
    await user.client.fails('NOT_FOUND', query, { consortiumId: foreign.consortiumId });
    const malformed = await countSql(real, () => user.client.fails('NOT_FOUND', query, { consortiumId: 'not-an-id' }));
    expect(readsOneConsortium(malformed.statements[0])).toBe(false);
  });

  it('reads the rights in another consortium when an operation read for one asks about it after all', async () => {
    const c = await newConsortium(real);
    const other = await newConsortium(real);
    await addSeat(real, other, { org: c.admin.org });
    const user = c.admin.owner;
    const query = `query($id: ID!, $b: ID!, $with: Boolean!) { a: consortium(id: $id) { id myEffectiveRole } b: consortium(id: $b) @include(if: $with) { id myEffectiveRole myMemberships { role } } } # ${randomUUID()}`;
    const vars = { id: c.consortiumId, b: other.consortiumId };
    await user.client.ok(query, { ...vars, with: false });
    // Learned: the rights in the consortium `$id` names. This time it asks about `$b`'s too.
    const both = await countSql(real, () => user.client.ok(query, { ...vars, with: true }));
    expect(readsOneConsortium(both.statements[0])).toBe(true);
    expect(both.result).toEqual({
      a: { id: c.consortiumId, myEffectiveRole: 'OWNER' },
      b: { id: other.consortiumId, myEffectiveRole: 'OWNER', myMemberships: [{ role: 'MEMBER' }] },
    });
    expect(both.result).toEqual(await deferring.as(user.email).ok(query, { ...vars, with: true }));
  });

  it('reads all the rights for an operation that asked about more than one consortium, or about one no variable names', async () => {
    const c = await newConsortium(real);
    const other = await newConsortium(real);
    await addSeat(real, other, { org: c.admin.org });
    const user = c.admin.owner;
    const two = `query($id: ID!) { a: consortium(id: $id) { id myEffectiveRole } b: consortium(id: "${other.consortiumId}") { id myEffectiveRole } } # ${randomUUID()}`;
    // `$id` holds the first consortium's id, but only the literal one is asked about (`b` is never included).
    const literal = `query($id: ID!) { consortium(id: "${other.consortiumId}") { id } b: consortium(id: $id) @include(if: false) { id } } # ${randomUUID()}`;
    for (let i = 0; i < 2; i++) {
      const both = await countSql(real, () => user.client.ok(two, { id: c.consortiumId }));
      expect(both.result).toMatchObject({ a: { id: c.consortiumId, myEffectiveRole: 'OWNER' }, b: { id: other.consortiumId } });
      expect(readsOneConsortium(both.statements[0])).toBe(false);
      const named = await countSql(real, () => user.client.ok(literal, { id: c.consortiumId }));
      expect(named.result).toMatchObject({ consortium: { id: other.consortiumId } });
      expect(readsOneConsortium(named.statements[0])).toBe(false);
    }
  });

  it('learns the same over WebSocket: me without them the second time, a consortium with them every time', async () => {
    const org = await createOrganization(real);
    const c = await createTestConsortium(org.owner);
    const socket = await openSocket(real, await real.tokenFor(org.owner.email));
    // The principal statements of this socket's operations (countSql counts HTTP requests only).
    const principals = async (query: string) => {
      const seen: string[] = [];
      const unwatch = watchStatements(real.app.services, (sql) => {
        if (/from "app_user" u\b[\s\S]*where u\."subject" = \$1/.test(sql)) seen.push(sql);
      });
      try {
        return { outcome: await socket.run(query), seen };
      } finally {
        unwatch();
      }
    };
    try {
      const me = '{ me { id email } }';
      const consortium = `{ consortium(id: "${c.id}") { id name } }`;
      const first = await principals(me);
      expect(first.seen).toHaveLength(1);
      expect(first.seen[0]).toMatch(/\bnetwork_roles\b/);
      const again = await principals(me);
      expect(again.outcome).toMatchObject({ kind: 'result', result: { data: { me: { email: org.owner.email } } } });
      expect(again.seen).toHaveLength(1);
      expect(again.seen[0]).not.toMatch(/\bnetwork_roles\b/);
      for (let i = 0; i < 2; i++) {
        const counted = await principals(consortium);
        expect(counted.outcome).toMatchObject({ kind: 'result', result: { data: { consortium: { id: c.id } } } });
        expect(counted.seen[0]).toMatch(/\bnetwork_roles\b/);
      }
      // With the consortium in a variable: all the rights the first time, that consortium's then.
      const named = `query($id: ID!) { consortium(id: $id) { id myEffectiveRole } } # ${randomUUID()}`;
      for (const expected of [false, true, true]) {
        const seen: string[] = [];
        const unwatch = watchStatements(real.app.services, (sql) => {
          if (/from "app_user" u\b[\s\S]*where u\."subject" = \$1/.test(sql)) seen.push(sql);
        });
        try {
          expect(await socket.run(named, { id: c.id })).toMatchObject({ kind: 'result', result: { data: { consortium: { id: c.id, myEffectiveRole: 'OWNER' } } } });
        } finally {
          unwatch();
        }
        expect(readsOneConsortium(seen[0])).toBe(expected);
      }
    } finally {
      await socket.dispose();
    }
  });

  it('deferred, reads them at the first consortium decision: the same answers and the same refusals', async () => {
    const creator = await createOrganization(real);
    const c = await createTestConsortium(creator.owner);
    const member = await memberOrganization(real, c.id, { permissions: ['INVITE_ORGANIZATIONS'] });
    const outsider = await createOrganization(real);

    for (const user of [creator.owner, member.org.owner]) {
      const client = deferring.as(user.email);
      const counted = await countSql(deferring, () => client.ok(ConsortiumByIdDocument, { id: c.id }));
      expect(counted.statements.filter(readsRights)).toHaveLength(1);
      expect(counted.result).toEqual(await user.client.ok(ConsortiumByIdDocument, { id: c.id }));
      expect(await client.ok(MyPermissionsDocument, { consortiumId: c.id })).toEqual(
        await user.client.ok(MyPermissionsDocument, { consortiumId: c.id }),
      );
    }
    await deferring.as(outsider.owner.email).fails('NOT_FOUND', ConsortiumByIdDocument, { id: c.id });
  });
});
