// The planned read path (PLANNED_READS, on by default) answers a query whose whole selection the
// modules declare readable with one statement that builds the answer in PostgreSQL. The same
// requests sent to a gateway without it (every field on its resolver) must get byte-for-byte the
// same answers, for every caller: data, errors, codes and paths; and the plan must really have
// answered (or declined) them, as its counter shows.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparable } from '../support/client';
import { sql } from '../support/db';
import { memberOrganization, setMembershipStatus } from '../support/factories/consortium';
import { seedNetworkRole } from '../support/factories/organization';
import { addSeat, createEnv, newConsortium, seatUser, seedCompilation, type TestConsortium } from '../support/factories/resources';
import { delta, scrape } from '../support/metrics';
import { openSocket } from '../support/ws-operation';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { parse } from 'graphql';
import { buildContext } from '../../src/server';
import { ReadPlanner, type ReadMap } from '../../src/graphql/read-plan';
import type { RuleMap } from '../../src/graphql/module';
import { consortiumAction } from '../../src/graphql/rules';
import { buildGatewaySchema, readMap, ruleTree } from '../../src/graphql/schema';
import { parentMembership } from '../../src/graphql/scopes';

let planned: TestGateway;
let resolved: TestGateway;
let c: TestConsortium;
let memberEmail: string;
let frozenEmail: string;
let leftEmail: string;
let guestEmail: string;
let outsiderEmail: string;
let envA: string;
let gone: string;
let nodeA: string;
let nodeGone: string;

const DETAIL = /* GraphQL */ `
  query Detail($id: ID!, $members: Int, $nodes: Int) {
    consortium(id: $id) {
      id
      name
      description
      memberships(first: $members) {
        nodes { id displayName role status permissions organization { id name } invitedBy { id displayName } }
      }
      environments(first: 10) {
        nodes { id name client consensus release status maxSigners createdBy { id displayName role } nodes(first: $nodes) { nodes { id name role status membership { id displayName } } } }
      }
      compilations(first: 50) { nodes { id name version status compilerVersion contractName } }
    }
  }
`;

beforeAll(async () => {
  [planned, resolved] = await Promise.all([startTestGateway(), startTestGateway({ PLANNED_READS: 'false' })]);
  expect(planned.config.plannedReads).toBe(true);
  expect(resolved.config.plannedReads).toBe(false);
  c = await newConsortium(planned);
  envA = await createEnv(c.admin.owner.client, c.consortiumId);
  await createEnv(c.admin.owner.client, c.consortiumId);
  gone = await createEnv(c.admin.owner.client, c.consortiumId);
  await seedCompilation(c.consortiumId, c.admin.membershipId, { status: 'COMPILED' });
  await seedCompilation(c.consortiumId, c.admin.membershipId, { status: 'FAILED' });
  await seedCompilation(c.consortiumId, c.admin.membershipId, { status: 'PENDING' });
  const member = await memberOrganization(planned, c.consortiumId, { invitedBy: c.admin.membershipId });
  memberEmail = member.org.owner.email;
  const frozen = await addSeat(planned, c, { permissions: ['CREATE_SIGNERS'] });
  await setMembershipStatus(frozen.membershipId, 'FROZEN');
  frozenEmail = frozen.owner.email;
  const left = await addSeat(planned, c);
  await setMembershipStatus(left.membershipId, 'LEFT');
  leftEmail = left.owner.email;
  // A user of a member organization without membership rights of its own: a GUEST by network role.
  const guest = await seatUser(planned, c.admin, 'MEMBER');
  await seedNetworkRole(guest.id, c.consortiumId, 'GUEST');
  guestEmail = guest.email;
  outsiderEmail = (await newConsortium(planned)).admin.owner.email;
  // Nodes of two memberships in one environment, and one in the environment deleted below.
  nodeA = randomUUID();
  nodeGone = randomUUID();
  await sql(
    `insert into node (id, environment_id, membership_id, name, role, status) values (?, ?, ?, 'n-1', 'SIGNER', 'RUNNING'), (?, ?, ?, 'n-2', 'NON_SIGNER', 'STOPPED'), (?, ?, ?, 'n-3', 'SIGNER', 'RUNNING')`,
    [nodeA, envA, c.admin.membershipId, randomUUID(), envA, member.membership.id, nodeGone, gone, c.admin.membershipId],
  );
  await sql(`update environment set status = 'DELETED' where id = ?`, [gone]);
});
afterAll(async () => {
  await Promise.all([planned?.stop(), resolved?.stop()]);
});


/** Sends the request to both gateways, expects the same answer, and returns it with what the plan did. */
async function both(email: string | null, query: string, variables: Record<string, unknown> = {}) {
  const on = (gw: TestGateway) => (email ? gw.as(email) : gw.anonymous()).request<unknown, Record<string, unknown>>(query, variables);
  const before = await scrape(planned);
  const a = await on(planned);
  const after = await scrape(planned);
  const b = await on(resolved);
  expect(JSON.stringify(comparable(a))).toBe(JSON.stringify(comparable(b)));
  const outcome = {
    answered: delta(before, after, 'gateway_planned_reads_total', { outcome: 'answered' }),
    declined: delta(before, after, 'gateway_planned_reads_total', { outcome: 'declined' }),
  };
  return { result: a, outcome };
}

/** A planner of the planned gateway's schema with other declarations or rules (white-box cases). */
async function plannerWith(reads: ReadMap, rules: RuleMap): Promise<ReadPlanner> {
  return new ReadPlanner(await buildGatewaySchema(), planned.app.services.orm.getMetadata(), reads, rules);
}

/** A root rule that decides consortium.view on the test consortium, whatever its `id` names. */
const viewingTheConsortium = (type: string) =>
  consortiumAction('consortium.view', async (_parent, args) => ({ consortiumId: c.consortiumId, membershipId: null, subject: { type, id: args.id as string }, row: null }));

/** An operation's context for a signed-in user, as the pipeline builds it. */
function contextOf(email: string) {
  return buildContext(planned.app.services, { subject: `test|${email}`, email, name: null, expiresAt: null, emailVerified: true }, randomUUID(), '127.0.0.1');
}

describe('planned reads', () => {
  it('answer a consortium with its pages and relations exactly as the resolvers do, for every member', async () => {
    for (const email of [c.admin.owner.email, memberEmail, frozenEmail, guestEmail]) {
      const { result, outcome } = await both(email, DETAIL, { id: c.consortiumId });
      expect(result.errors).toBeUndefined();
      expect(outcome).toEqual({ answered: 1, declined: 0 });
      const consortium = (result.data as { consortium: Record<string, { nodes: unknown[] }> }).consortium;
      // Deleted environments and LEFT memberships are not listed; every compilation is.
      expect(consortium.environments.nodes).toHaveLength(2);
      expect(consortium.memberships.nodes).toHaveLength(3);
      expect(consortium.compilations.nodes).toHaveLength(3);
    }
  });

  it('honour page sizes, status filters, aliases and __typename', async () => {
    const small = await both(c.admin.owner.email, DETAIL, { id: c.consortiumId, members: 1, nodes: 1 });
    expect(small.outcome.answered).toBe(1);
    expect((small.result.data as { consortium: { memberships: { nodes: unknown[] } } }).consortium.memberships.nodes).toHaveLength(1);
    const aliased = await both(
      c.admin.owner.email,
      `query ($id: ID!) { c: consortium(id: $id) { __typename k: id gone: memberships(status: [LEFT, FROZEN]) { __typename n: nodes { __typename s: status o: organization { id } } } } }`,
      { id: c.consortiumId },
    );
    expect(aliased.outcome.answered).toBe(1);
    expect(JSON.stringify(aliased.result.data)).toContain('"s":"LEFT"');
  });

  it('leave refusals, bad input and missing rows to the resolvers, which answer them with their errors', async () => {
    const cases: [string | null, string, Record<string, unknown>, string][] = [
      [outsiderEmail, DETAIL, { id: c.consortiumId }, 'NOT_FOUND'],
      [leftEmail, DETAIL, { id: c.consortiumId }, 'NOT_FOUND'],
      [null, DETAIL, { id: c.consortiumId }, 'UNAUTHENTICATED'],
      [c.admin.owner.email, DETAIL, { id: randomUUID() }, 'NOT_FOUND'],
      [c.admin.owner.email, DETAIL, { id: 'not-an-id' }, 'NOT_FOUND'],
      [c.admin.owner.email, DETAIL, { id: c.consortiumId, members: 0 }, 'BAD_USER_INPUT'],
      [c.admin.owner.email, `query ($id: ID!) { consortium(id: $id) { compilations(first: 101) { nodes { id } } } }`, { id: c.consortiumId }, 'BAD_USER_INPUT'],
    ];
    for (const [email, query, variables, code] of cases) {
      const { result, outcome } = await both(email, query, variables);
      expect(result.errors?.[0]?.extensions?.code).toBe(code);
      expect(outcome.answered).toBe(0);
    }
  });

  it('leave selections it does not read to the resolvers: cursors, totals, dates, later pages', async () => {
    const first = await both(c.admin.owner.email, `query ($id: ID!) { consortium(id: $id) { memberships(first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { id createdAt } } } }`, {
      id: c.consortiumId,
    });
    expect(first.outcome).toEqual({ answered: 0, declined: 0 });
    const cursor = (first.result.data as { consortium: { memberships: { pageInfo: { endCursor: string } } } }).consortium.memberships.pageInfo.endCursor;
    const later = await both(c.admin.owner.email, `query ($id: ID!, $after: String) { consortium(id: $id) { memberships(first: 1, after: $after) { nodes { id } } } }`, {
      id: c.consortiumId,
      after: cursor,
    });
    expect(later.outcome).toEqual({ answered: 0, declined: 1 });
    const twoRoots = await both(c.admin.owner.email, `query ($id: ID!) { me { email } consortium(id: $id) { id } }`, { id: c.consortiumId });
    expect(twoRoots.outcome).toEqual({ answered: 0, declined: 0 });
  });

  it('decides on the data as it is now: a consortium deleted, a membership that left', async () => {
    const other = await newConsortium(planned);
    const seat = await addSeat(planned, other);
    const query = `query ($id: ID!) { consortium(id: $id) { id memberships { nodes { id invitedBy { id } } } } }`;
    expect((await both(seat.owner.email, query, { id: other.consortiumId })).outcome.answered).toBe(1);
    await setMembershipStatus(seat.membershipId, 'LEFT');
    const left = await both(seat.owner.email, query, { id: other.consortiumId });
    expect(left.result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await sql('update consortium set deleted_at = now() where id = ?', [other.consortiumId]);
    const deleted = await both(other.admin.owner.email, query, { id: other.consortiumId });
    expect(deleted.result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(deleted.outcome.answered).toBe(0);
  });

  it('decides every guarded field per row: one refusal and the whole operation goes to the resolvers', async () => {
    // The rules as shipped decide Membership.invitedBy as the consortium's visibility; here it asks
    // for an action a MEMBER does not have, so each row's decision refuses for the member and
    // allows for the administrator.
    const rules = { ...ruleTree(), Membership: { ...ruleTree().Membership, invitedBy: consortiumAction('consortium.update', parentMembership) } };
    const planner = await plannerWith(readMap(), rules);
    const document = parse(`query ($id: ID!) { consortium(id: $id) { memberships { nodes { id invitedBy { id } } } } }`);
    const as = async (email: string) => planner.run(document, undefined, 'invited-by', await contextOf(email), { id: c.consortiumId });
    const admin = await as(c.admin.owner.email);
    expect(JSON.stringify(admin?.data)).toContain(c.admin.membershipId);
    expect(await as(memberEmail)).toBeNull();
  });

  it('answer an environment and a node by id as their resolvers do, and leave the ones gone to them', async () => {
    const environment = `query ($id: ID!) { environment(id: $id) { id name status maxSigners createdBy { id displayName } nodes(first: 5) { nodes { id name role membership { id } } } } }`;
    const node = `query ($id: ID!) { node(id: $id) { __typename id name role size status membership { id displayName invitedBy { id } } } }`;
    for (const email of [c.admin.owner.email, memberEmail, guestEmail]) {
      const env = await both(email, environment, { id: envA });
      expect(env.outcome).toEqual({ answered: 1, declined: 0 });
      expect((env.result.data as { environment: { nodes: { nodes: unknown[] } } }).environment.nodes.nodes).toHaveLength(2);
      expect((await both(email, node, { id: nodeA })).outcome).toEqual({ answered: 1, declined: 0 });
    }
    const refused: [string, string, Record<string, unknown>][] = [
      [c.admin.owner.email, environment, { id: gone }],
      [c.admin.owner.email, node, { id: nodeGone }],
      [outsiderEmail, environment, { id: envA }],
      [outsiderEmail, node, { id: nodeA }],
      [c.admin.owner.email, node, { id: randomUUID() }],
    ];
    for (const [email, query, variables] of refused) {
      const { result, outcome } = await both(email, query, variables);
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(outcome).toEqual({ answered: 0, declined: 1 });
    }
  });

  it('list no nodes of an environment that is not live, however the plan reaches it', async () => {
    // Only live environments reach a plan through the shipped rules; here a rule that lets the
    // deleted one through shows that its page of nodes is still empty, as the resolver's is.
    const reads = readMap();
    const planner = await plannerWith(
      { ...reads, Query: { ...reads.Query, environment: { kind: 'row', entity: { name: 'Environment' }, idArg: 'id' } } },
      { ...ruleTree(), Query: { ...ruleTree().Query, environment: viewingTheConsortium('Environment') } },
    );
    const ctx = await contextOf(c.admin.owner.email);
    const answer = await planner.run(parse(`query ($id: ID!) { environment(id: $id) { id status nodes { nodes { id } } } }`), undefined, 'gone', ctx, { id: gone });
    expect(answer?.data).toEqual({ environment: { id: gone, status: 'DELETED', nodes: { nodes: [] } } });
  });

  it('read no row its declaration leaves out, even where a rule would let it through', async () => {
    // A deleted consortium is NOT_FOUND by its resolver (liveConsortium); the shipped rule refuses
    // it too, so a rule that decides on another consortium shows the declaration's own condition.
    const deleted = await newConsortium(planned);
    await sql('update consortium set deleted_at = now() where id = ?', [deleted.consortiumId]);
    const planner = await plannerWith(readMap(), { ...ruleTree(), Query: { ...ruleTree().Query, consortium: viewingTheConsortium('Consortium') } });
    const ctx = await contextOf(c.admin.owner.email);
    const run = (id: string) => planner.run(parse(`query ($id: ID!) { consortium(id: $id) { id name } }`), undefined, 'deleted', ctx, { id });
    expect((await run(c.consortiumId))?.data).toEqual({ consortium: { id: c.consortiumId, name: c.name } });
    expect(await run(deleted.consortiumId)).toBeNull();
  });

  it('answer over WebSocket as over HTTP, with the same guards', async () => {
    const run = async (gw: TestGateway, email: string, variables: Record<string, unknown>) => {
      const socket = await openSocket(gw, await gw.tokenFor(email));
      try {
        return await socket.run(DETAIL, variables);
      } finally {
        await socket.dispose();
      }
    };
    for (const [email, variables, answered] of [
      [memberEmail, { id: c.consortiumId }, 1],
      [outsiderEmail, { id: c.consortiumId }, 0],
      [c.admin.owner.email, { id: c.consortiumId, members: 0 }, 0],
    ] as const) {
      const before = await scrape(planned);
      const a = await run(planned, email, variables);
      const after = await scrape(planned);
      const b = await run(resolved, email, variables);
      const answer = (o: typeof a) => (o.kind === 'result' ? { data: o.result.data, errors: o.result.errors } : o);
      expect(JSON.stringify(answer(a))).toBe(JSON.stringify(answer(b)));
      expect(delta(before, after, 'gateway_planned_reads_total', { outcome: 'answered' })).toBe(answered);
      if (answered) expect(a.kind === 'result' && a.result.errors).toBeFalsy();
    }
  });
});

