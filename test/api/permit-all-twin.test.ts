// The benchmark's authorization-off twin (bench/permit-all.ts) is what the cost of authorization
// is measured against, so it must be what it claims: the same gateway, answering the benchmark's
// requests byte for byte as the real one does, without reading the caller's rights to decide
// and without deciding. Were it to read the rights (or the real gateway stop reading them), the
// measured cost would leave out what authorization costs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMIT_ALL_OPTIONS } from '../../bench/permit-all';
import { SCENARIOS } from '../../bench/scenarios';
import type { Dataset } from '../../bench/seed';
import { createEnv, newConsortium, seedCompilation } from '../support/factories/resources';
import { memberOrganization } from '../support/factories/consortium';
import { createOrganization, seedNodes } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { countSql } from '../support/sql-counter';

let real: TestGateway;
let twin: TestGateway;
beforeAll(async () => {
  real = await startTestGateway();
  twin = await startTestGateway({}, PERMIT_ALL_OPTIONS);
});
afterAll(async () => {
  await real?.stop();
  await twin?.stop();
});

/** Statements that read the caller's rights: the principal's with its rights columns, or one of their own. */
const rightsReads = (statements: string[]) => statements.filter((s) => /\bnetwork_roles\b/.test(s));
const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;

describe("the benchmark's authorization-off twin", () => {
  let consortiumId: string;
  let owner: Awaited<ReturnType<typeof newConsortium>>['admin']['owner'];
  beforeAll(async () => {
    const c = await newConsortium(real);
    consortiumId = c.consortiumId;
    owner = c.admin.owner;
    const { membership } = await memberOrganization(real, consortiumId, { permissions: ['CREATE_SIGNERS'] });
    await createEnv(owner.client, consortiumId);
    await seedNodes(membership.id, consortiumId, 3);
    await seedCompilation(consortiumId, c.admin.membershipId);
  });

  for (const name of ['me', 'meOrganization', 'consortium', 'myPermissions']) {
    it(`answers ${name} exactly as the gateway does`, async () => {
      const s = scenario(name);
      const variables = s.variables({ largeConsortiumId: consortiumId } as Dataset);
      const expected = await real.as(owner.email).ok(s.query, variables);
      expect(await twin.as(owner.email).ok(s.query, variables)).toEqual(expected);
    });
  }

  /** The statements of one benchmark request on each gateway, once each has run it before (the pipeline learns whether it asks for rights). */
  async function statementsOf(name: string) {
    const s = scenario(name);
    const variables = s.variables({ largeConsortiumId: consortiumId } as Dataset);
    for (const gw of [real, twin]) await gw.as(owner.email).ok(s.query, variables);
    const byReal = await countSql(real, () => real.as(owner.email).ok(s.query, variables));
    const byTwin = await countSql(twin, () => twin.as(owner.email).ok(s.query, variables));
    return { byReal, byTwin };
  }

  it('reads no rights for the large consortium, where the gateway reads them with the principal', async () => {
    const { byReal, byTwin } = await statementsOf('consortium');
    expect(rightsReads(byReal.statements)).toHaveLength(1);
    expect(rightsReads(byTwin.statements)).toEqual([]);
    expect(byTwin.result).toEqual(byReal.result);
  });

  it('reads the rights where they are the answer (myPermissions) as the gateway does: with the principal', async () => {
    const { byReal, byTwin } = await statementsOf('myPermissions');
    expect(rightsReads(byTwin.statements)).toHaveLength(1);
    expect(byTwin.count).toBe(byReal.count);
  });

  it('decides nothing: an outsider the gateway tells NOT_FOUND gets the consortium', async () => {
    const outsider = await createOrganization(real);
    const query = 'query C($id: ID!) { consortium(id: $id) { id memberships(first: 5) { nodes { id } } } }';
    await real.as(outsider.owner.email).fails('NOT_FOUND', query, { id: consortiumId });
    const answer = await twin.as(outsider.owner.email).ok<{ consortium: { id: string } }, { id: string }>(query, { id: consortiumId });
    expect(answer.consortium.id).toBe(consortiumId);
  });

  it('refuses a change, which needs the acting membership it never read, that the gateway makes', async () => {
    const mutation = 'mutation E($input: CreateEnvironmentInput!) { createEnvironment(input: $input) { id } }';
    const input = (name: string) => ({ input: { consortiumId, name, client: 'BESU', consensus: 'QBFT' } });
    await real.as(owner.email).ok(mutation, input(`twin-real-${Date.now()}`));
    // The getter's error is logged with its reason; the client sees the masked internal error.
    const result = await twin.as(owner.email).request(mutation, input(`twin-${Date.now()}`));
    expect(result.data).toBeFalsy();
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
  });
});
