// A page of a list nested in a list costs its rows, not the table, however the children are
// spread over the parents: here 1,000 environments of 2 nodes and one of 3,000, each node of a
// membership of its own. The planner is free to hash a whole table for a page when the statement
// lets it; and it plans a page for the average parent, whose few rows a bitmap scan and a sort
// read more cheaply than an index walk, a plan that then reads every row of the large parent for
// its page. Its own database, so that the statistics the planner sees are this data's alone.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReaderQueryEvent } from '../../src/db/reader';
import { openDatabase } from '../../src/db/orm';
import { newConsortium, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { scratchDatabase } from '../support/db';

const ENVIRONMENTS = 1000;
const NODES_EACH = 2;
/** The nodes of the one large environment, the first one created. */
const NODES_OF_LARGE = 3000;
const PAGE = 20;

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let db: Client;
let gw: TestGateway;
/** The same gateway with the planned read path, which answers the same query with one statement of its own. */
let plannedGw: TestGateway;
let c: TestConsortium;

beforeAll(async () => {
  scratch = await scratchDatabase('plans');
  await (await openDatabase(scratch.url)).close();
  db = new Client({ connectionString: scratch.url });
  await db.connect();
  gw = await startTestGateway({ DATABASE_URL: scratch.url, PLANNED_READS: 'false' });
  plannedGw = await startTestGateway({ DATABASE_URL: scratch.url });
  c = await newConsortium(gw);
  // The large environment first (its page is among the ten asked for), then the small ones.
  const environments = Array.from({ length: ENVIRONMENTS + 1 }, () => randomUUID());
  await db.query(
    `insert into environment (id, consortium_id, name, client, consensus, release, chain_id, ca_certificate_pem, ca_private_key_encrypted, created_by_id, created_at)
     select e.id, $1, 'env ' || e.n, 'GETH', 'IBFT', '1.0.0', 4242, 'placeholder', 'placeholder', $2, timestamptz '2026-01-01' + e.n * interval '1 second'
       from unnest($3::uuid[]) with ordinality as e(id, n)`,
    [c.consortiumId, c.admin.membershipId, environments],
  );
  // Nodes are created in turn across the environments, as they would be over time: an
  // environment's nodes are spread over the table, not side by side.
  const [large, ...small] = environments;
  const parents = [...Array.from({ length: NODES_EACH }, () => small).flat(), ...Array.from({ length: NODES_OF_LARGE }, () => large)];
  await db.query(
    `with m as (
       insert into membership (id, consortium_id, organization_id, display_name, role, status, created_at)
       select gen_random_uuid(), $1, $2, 'node owner ' || i, 'MEMBER', 'ACTIVE', timestamptz '2026-01-01' + i * interval '1 second'
         from generate_series(1, ${parents.length}) i
       returning id, created_at)
     insert into node (id, environment_id, membership_id, name, role, created_at)
     select gen_random_uuid(), p.environment_id, m.id, 'n', 'NON_SIGNER', m.created_at
       from (select id, created_at, row_number() over (order by created_at) as i from m) m
       join (select e.environment_id, row_number() over (order by random()) as i from unnest($3::uuid[]) as e(environment_id)) p using (i)`,
    [c.consortiumId, c.admin.org.id, parents],
  );
  await db.query('vacuum analyze membership, node, environment');
});

afterAll(async () => {
  await gw?.stop();
  await plannedGw?.stop();
  await db?.end();
  await scratch?.drop();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

const flatten = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(flatten)];

const QUERY = `query($id: ID!) { consortium(id: $id) { environments(first: 10) { nodes { nodes(first: ${PAGE}) { nodes { id membership { id displayName } } } } } } }`;

/** Sends the query to `on`, checks the pages, and explains the one statement that read the nodes (`reads`) on its read path. */
async function pagesAndPlan(on: TestGateway, reads: (sql: string) => boolean): Promise<{ plan: PlanNode[]; shape: string }> {
  const seen: ReaderQueryEvent[] = [];
  const listen = (q: ReaderQueryEvent) => seen.push(q);
  on.app.services.reader.on('query', listen);
  let result: { consortium: { environments: { nodes: { nodes: { nodes: { membership: { displayName: string } }[] } }[] } } };
  try {
    result = await on.as(c.admin.owner.email).ok(QUERY, { id: c.consortiumId });
  } finally {
    on.app.services.reader.removeListener('query', listen);
  }
  const pages = result.consortium.environments.nodes;
  expect(pages).toHaveLength(10);
  expect(pages.map((p) => p.nodes.nodes.filter((n) => n.membership.displayName.startsWith('node owner')).length)).toEqual([PAGE, ...Array(9).fill(NODES_EACH)]);

  const page = seen.filter((q) => reads(q.sql));
  expect(page, seen.map((q) => q.sql).join('\n')).toHaveLength(1);
  // Explained on a connection of the gateway's read path, with its settings.
  const [explained] = await on.app.services.reader.rows<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (analyze, format json) ${page[0].sql}`, page[0].bindings);
  const plan = flatten(explained['QUERY PLAN'][0].Plan);
  const shape = JSON.stringify(plan.map((n) => `${n['Node Type']} ${n['Relation Name'] ?? ''} ${n['Index Name'] ?? ''}`.trim()));
  return { plan, shape };
}

/** Rows read from a table, over all loops. */
const readFrom = (plan: PlanNode[], table: string) =>
  plan.filter((n) => n['Relation Name'] === table).reduce((sum, n) => sum + n['Actual Rows'] * n['Actual Loops'], 0);

describe('first pages of nodes of many environments, with their memberships', () => {
  it('read each page’s rows and each row’s membership, never a whole table', async () => {
    const { plan, shape } = await pagesAndPlan(gw, (sql) => /\bfrom unnest\(/.test(sql) && /\bfrom "node"/.test(sql));
    // Rows read from each table, over all loops: the pages' 38 nodes (and the large environment's
    // extra row) and their memberships, against 5,000 of each in the tables and 3,000 in the
    // large environment alone.
    expect(plan.some((n) => n['Node Type'] === 'Seq Scan'), shape).toBe(false);
    // (PostgreSQL reports a scan's rows as the average over its 10 loops, rounded: up to 5 more.)
    const rows = PAGE + 1 + 9 * NODES_EACH + 5;
    expect(readFrom(plan, 'node'), shape).toBeLessThanOrEqual(rows);
    expect(readFrom(plan, 'membership'), shape).toBeLessThanOrEqual(rows);
  });

  it('read so in the planned statement too: each page’s rows and their memberships, never a whole table', async () => {
    const { plan, shape } = await pagesAndPlan(plannedGw, (sql) => /json_agg\(json_build_array/.test(sql) && /\bfrom "node"/.test(sql));
    expect(plan.some((n) => n['Node Type'] === 'Seq Scan'), shape).toBe(false);
    // One page per live environment (the large one's 20, 2 each of the others), each node's
    // membership by its key: no more rows than the answer's, up to the rounding of averages.
    const rows = PAGE + 9 * NODES_EACH + 5;
    expect(readFrom(plan, 'node'), shape).toBeLessThanOrEqual(rows);
    expect(readFrom(plan, 'membership'), shape).toBeLessThanOrEqual(rows);
  });
});
