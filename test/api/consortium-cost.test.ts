// Authorization and relation fields cost SQL per level of a query, never per row: the caller's
// memberships and network roles come with the caller, and every relation goes through a loader.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsortiumDeepDocument, MeDocument, MyConsortiaDocument, MyPermissionsDocument, UpdateVotingPolicyDocument } from '../generated/graphql';
import { createTestConsortium, joinAsMember, memberOrganization } from '../support/factories/consortium';
import { createOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { countSql } from '../support/sql-counter';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

describe('SQL per request', () => {
  // Both shapes hold another organization's membership invited by the creator, so each query
  // level has rows that were not loaded by an earlier level: only the number of rows differs.
  it('is the same for a consortium with 2 or 6 memberships, every relation and guard included', async () => {
    const small = await createOrganization(gw);
    const few = await createTestConsortium(small.owner);
    await memberOrganization(gw, few.id, { invitedBy: few.membershipId });
    const large = await createOrganization(gw);
    const many = await createTestConsortium(large.owner);
    let inviter = many.membershipId;
    for (let i = 0; i < 5; i++) {
      const { membership } = await memberOrganization(gw, many.id, { invitedBy: inviter, status: i === 4 ? 'FROZEN' : 'ACTIVE' });
      inviter = membership.id;
    }

    const one = await countSql(gw, () => small.owner.client.ok(ConsortiumDeepDocument, { id: few.id }));
    const six = await countSql(gw, () => large.owner.client.ok(ConsortiumDeepDocument, { id: many.id }));
    expect(one.result.consortium.memberships.nodes).toHaveLength(2);
    expect(six.result.consortium.memberships.nodes).toHaveLength(6);
    expect(six.count, six.statements.join('\n')).toBe(one.count);
    // The caller with their rights in one statement, then one per relation level: the
    // consortium, its memberships with their organizations, the creator, the inviters' level.
    expect(one.count, one.statements.join('\n')).toBeLessThanOrEqual(5);
  });

  it('is the same for a list of 1 or 4 consortia with their memberships', async () => {
    const single = await createOrganization(gw);
    const only = await createTestConsortium(single.owner);
    await joinAsMember(gw, only.id, await createOrganization(gw), { invitedBy: only.membershipId });
    const busy = await createOrganization(gw);
    for (let i = 0; i < 4; i++) {
      const c = await createTestConsortium(busy.owner);
      await joinAsMember(gw, c.id, await createOrganization(gw), { invitedBy: c.membershipId });
    }

    const one = await countSql(gw, () => single.owner.client.ok(MyConsortiaDocument, {}));
    const four = await countSql(gw, () => busy.owner.client.ok(MyConsortiaDocument, {}));
    expect(one.result.consortia.nodes).toHaveLength(1);
    expect(four.result.consortia.nodes).toHaveLength(4);
    expect(four.count, four.statements.join('\n')).toBe(one.count);
  });

  it('counts only the requests made inside the measured function', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const once = await countSql(gw, () => org.owner.client.ok(ConsortiumDeepDocument, { id: c.id }));
    const twice = await countSql(gw, async () => {
      await org.owner.client.ok(ConsortiumDeepDocument, { id: c.id });
      await org.owner.client.ok(ConsortiumDeepDocument, { id: c.id });
    });
    expect(once.count).toBeGreaterThan(0);
    expect(twice.count).toBe(2 * once.count);
    expect((await countSql(gw, async () => undefined)).count).toBe(0);
  });

  it('answers me { organization } with the organization read with the caller: one statement, as me alone', async () => {
    const org = await createOrganization(gw);
    const { count, result } = await countSql(gw, () => org.owner.client.ok(MeDocument, {}));
    expect(result.me.organization).toMatchObject({ id: org.id, name: org.name });
    expect(count).toBe(1);
  });

  it('answers myPermissions, voting policy included, in one statement: the policy comes with the caller\'s rights', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const before = await countSql(gw, () => org.owner.client.ok(MyPermissionsDocument, { consortiumId: c.id }));
    expect(before.result.myPermissions.find((p) => p.action === 'organization.invite')?.allowed).toBe(true);
    expect(before.count, before.statements.join('\n')).toBe(1);

    await org.owner.client.ok(UpdateVotingPolicyDocument, {
      input: { consortiumId: c.id, thresholdPercent: 50, comparator: 'GREATER_THAN', durationHours: 24, needsVote: ['INVITE'] },
    });
    const after = await countSql(gw, () => org.owner.client.ok(MyPermissionsDocument, { consortiumId: c.id }));
    expect(after.result.myPermissions.find((p) => p.action === 'organization.invite')).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
    expect(after.count, after.statements.join('\n')).toBe(1);
  });
});
