// A page of a list nested in a list costs its rows, not the table: in a database of many parents
// with a few children each (the benchmark's data grown tenfold), the planner is free to hash a
// whole table for a page when the statement lets it. Its own database, so that the statistics
// the planner sees are this data's alone.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReaderQueryEvent } from '../../src/db/reader';
import { openDatabase } from '../../src/db/orm';
import { newConsortium, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { scratchDatabase } from '../support/db';

const ENVIRONMENTS = 100;
const NODES_EACH = 20;

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let db: Client;
let gw: TestGateway;
let c: TestConsortium;

beforeAll(async () => {
  scratch = await scratchDatabase('plans');
  await (await openDatabase(scratch.url)).close();
  db = new Client({ connectionString: scratch.url });
  await db.connect();
  gw = await startTestGateway({ DATABASE_URL: scratch.url });
  c = await newConsortium(gw);
  // 100 environments of 20 nodes, each node of a membership of its own: 2,000 of each.
  const environments = Array.from({ length: ENVIRONMENTS }, () => randomUUID());
  await db.query(
    `insert into environment (id, consortium_id, name, client, consensus, release, chain_id, ca_certificate_pem, ca_private_key_encrypted, created_by_id, created_at)
     select e.id, $1, 'env ' || e.n, 'GETH', 'IBFT', '1.0.0', 4242, 'placeholder', 'placeholder', $2, timestamptz '2026-01-01' + e.n * interval '1 second'
       from unnest($3::uuid[]) with ordinality as e(id, n)`,
    [c.consortiumId, c.admin.membershipId, environments],
  );
  await db.query(
    `with m as (
       insert into membership (id, consortium_id, organization_id, display_name, role, status, created_at)
       select gen_random_uuid(), $1, $2, 'node owner ' || i, 'MEMBER', 'ACTIVE', timestamptz '2026-01-01' + i * interval '1 second'
         from generate_series(1, ${ENVIRONMENTS * NODES_EACH}) i
       returning id, created_at)
     insert into node (id, environment_id, membership_id, name, role, created_at)
     select gen_random_uuid(), ($3::uuid[])[1 + (row_number() over (order by m.created_at) - 1) / ${NODES_EACH}], m.id, 'n', 'NON_SIGNER', m.created_at
       from m`,
    [c.consortiumId, c.admin.org.id, environments],
  );
  await db.query('vacuum analyze membership, node, environment');
});

afterAll(async () => {
  await gw?.stop();
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

describe('first pages of nodes of many environments, with their memberships', () => {
  it('read each page’s rows and each row’s membership, never a whole table', async () => {
    const seen: ReaderQueryEvent[] = [];
    const listen = (q: ReaderQueryEvent) => seen.push(q);
    gw.app.services.reader.on('query', listen);
    let result: { consortium: { environments: { nodes: { nodes: { nodes: { membership: { displayName: string } }[] } }[] } } };
    try {
      result = await c.admin.owner.client.ok(
        `query($id: ID!) { consortium(id: $id) { environments(first: 10) { nodes { nodes(first: ${NODES_EACH}) { nodes { id membership { id displayName } } } } } } }`,
        { id: c.consortiumId },
      );
    } finally {
      gw.app.services.reader.removeListener('query', listen);
    }
    const pages = result.consortium.environments.nodes;
    expect(pages).toHaveLength(10);
    for (const p of pages) expect(p.nodes.nodes.filter((n) => n.membership.displayName.startsWith('node owner'))).toHaveLength(NODES_EACH);

    const page = seen.filter((q) => /\bfrom unnest\(/.test(q.sql) && /\bfrom "node"/.test(q.sql));
    expect(page, seen.map((q) => q.sql).join('\n')).toHaveLength(1);
    const explained = await db.query(`explain (analyze, format json) ${page[0].sql}`, page[0].bindings as unknown[]);
    const plan = flatten(explained.rows[0]['QUERY PLAN'][0].Plan as PlanNode);
    const shape = JSON.stringify(plan.map((n) => `${n['Node Type']} ${n['Relation Name'] ?? ''} ${n['Index Name'] ?? ''}`.trim()));
    // Rows read from each table, over all loops: the page's 200 nodes (and the extra row of each
    // environment) and their 200 memberships, against 2,000 of each in the tables.
    const read = (table: string) =>
      plan.filter((n) => n['Relation Name'] === table).reduce((sum, n) => sum + n['Actual Rows'] * n['Actual Loops'], 0);
    expect(plan.some((n) => n['Node Type'] === 'Seq Scan'), shape).toBe(false);
    expect(read('node'), shape).toBeLessThanOrEqual(10 * (NODES_EACH + 1));
    expect(read('membership'), shape).toBeLessThanOrEqual(10 * NODES_EACH);
  });
});
