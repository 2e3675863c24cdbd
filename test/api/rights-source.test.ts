// The rights source is chosen at the composition root: the gateway reads the caller's rights in
// the principal's own statement; a source that defers them (the benchmark's permit-all twin
// does) reads them at the first decision that needs them, and every answer stays the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RightsSource } from '../../src/auth/authz';
import { ConsortiumByIdDocument, MeDocument, MyPermissionsDocument } from '../generated/graphql';
import { createTestConsortium, memberOrganization } from '../support/factories/consortium';
import { createOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { countSql } from '../support/sql-counter';

const WHEN_NEEDED: RightsSource = { principalColumns: () => null };
/** The rights columns' mark in a statement (see rightsColumns). */
const readsRights = (statement: string) => /\bnetwork_roles\b/.test(statement);

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
  it('reads the rights with the principal by default; a deferring source reads none for me', async () => {
    const org = await createOrganization(real);
    await org.owner.client.ok(MeDocument);
    const withRights = await countSql(real, () => org.owner.client.ok(MeDocument));
    expect(withRights.statements.filter(readsRights)).toHaveLength(1);

    const viaDeferring = deferring.as(org.owner.email);
    const deferred = await countSql(deferring, () => viaDeferring.ok(MeDocument));
    expect(deferred.statements.filter(readsRights)).toHaveLength(0);
    expect(deferred.result).toEqual(withRights.result);
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
