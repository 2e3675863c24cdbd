// A page costs its page: a first page of a consortium's lists reads its rows through the index on
// (parent, created_at, id), about `first + 1` of them however many the parent has, and a list's
// children are counted only when the query selects its totalCount, which is then exact.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReaderQueryEvent } from '../../src/db/reader';
import { pageFrom } from '../../src/graphql/pagination';
import type { GraphQLClient } from '../support/client';
import { newConsortium, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { sql } from '../support/db';
import { countSql } from '../support/sql-counter';

const MANY = 3000;

let gw: TestGateway;
let big: TestConsortium;
let client: GraphQLClient;
let environmentId: string;

/** An environment of the consortium, written directly (no CA to create). */
async function seedEnvironment(c: TestConsortium): Promise<string> {
  const id = randomUUID();
  await sql(
    `insert into environment (id, consortium_id, name, client, consensus, release, chain_id, ca_certificate_pem, ca_private_key_encrypted, created_by_id)
     values (?, ?, ?, 'GETH', 'IBFT', '1.0.0', 4242, 'placeholder', 'placeholder', ?)`,
    [id, c.consortiumId, `env-${id.slice(0, 8)}`, c.admin.membershipId],
  );
  return id;
}

beforeAll(async () => {
  gw = await startTestGateway();
  big = await newConsortium(gw);
  client = big.admin.owner.client;
  // Thousands of children, one a second (a tenth of the memberships LEFT, which the default list leaves out).
  // The compilations are settled (FAILED): a PENDING one is compiled by every gateway that starts
  // while it is, and other files start gateways whose compiler would then work through thousands.
  await sql(
    `insert into membership (id, consortium_id, organization_id, display_name, role, status, created_at)
     select gen_random_uuid(), ?, ?, 'bulk ' || i, 'MEMBER', case when i % 10 = 0 then 'LEFT' else 'ACTIVE' end,
            timestamptz '2026-01-01' + i * interval '1 second'
       from generate_series(1, ${MANY}) i`,
    [big.consortiumId, big.admin.org.id],
  );
  await sql(
    `insert into compilation (id, consortium_id, name, version, source, status, created_by_id, created_at)
     select gen_random_uuid(), ?, 'bulk ' || i, 1, 'contract C {}', 'FAILED', ?, timestamptz '2026-01-01' + i * interval '1 second'
       from generate_series(1, ${MANY}) i`,
    [big.consortiumId, big.admin.membershipId],
  );
  environmentId = await seedEnvironment(big);
  await sql(
    `insert into node (id, environment_id, membership_id, name, role, created_at)
     select gen_random_uuid(), ?, ?, 'bulk ' || i, 'NON_SIGNER', timestamptz '2026-01-01' + i * interval '1 second'
       from generate_series(1, ${MANY}) i`,
    [environmentId, big.admin.membershipId],
  );
  // The statistics and visibility map autovacuum keeps, now rather than whenever it passes.
  await sql('vacuum analyze membership, compilation, node, environment');
});
afterAll(() => gw?.stop());

/** How many rows of `table` a condition selects, straight from the database. */
async function stored(table: string, where: string, params: unknown[]): Promise<number> {
  const [{ n }] = await sql<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, params);
  return n;
}

const counts = (statements: string[]) => statements.filter((s) => /\bcount\s*\(/i.test(s) || /\bover\s*\(/i.test(s));

describe('a list is counted only when its totalCount is selected', () => {
  it('a query without totalCount sends no count and no window', async () => {
    const { statements, result } = await countSql(gw, () =>
      client.ok<{ consortium: { memberships: { pageInfo: { hasNextPage: boolean }; nodes: unknown[] }; compilations: { nodes: unknown[] }; environments: { nodes: { nodes: { nodes: unknown[] } }[] } } }, { id: string }>(
        `query($id: ID!) { consortium(id: $id) {
           memberships(first: 10) { pageInfo { hasNextPage endCursor } nodes { id displayName organization { id } } }
           compilations(first: 10) { nodes { id name } }
           environments(first: 5) { nodes { id nodes(first: 10) { pageInfo { hasNextPage } nodes { id } } } }
         } }`,
        { id: big.consortiumId },
      ),
    );
    expect(result.consortium.memberships.nodes).toHaveLength(10);
    expect(result.consortium.memberships.pageInfo.hasNextPage).toBe(true);
    expect(result.consortium.compilations.nodes).toHaveLength(10);
    expect(result.consortium.environments.nodes[0].nodes.nodes).toHaveLength(10);
    expect(counts(statements), statements.join('\n')).toEqual([]);
  });

  it('selected directly, through a fragment, an inline fragment or an alias, the total is exact', async () => {
    const listed = await stored('membership', `consortium_id = ? and status in ('ACTIVE', 'FROZEN')`, [big.consortiumId]);
    const all = await stored('membership', 'consortium_id = ?', [big.consortiumId]);
    const compilations = await stored('compilation', 'consortium_id = ?', [big.consortiumId]);
    const nodes = await stored('node', 'environment_id = ?', [environmentId]);
    expect([listed, all, compilations, nodes]).toEqual([MANY - MANY / 10 + 1, MANY + 1, MANY, MANY]);

    type Counted = { totalCount?: number; total?: number; nodes?: unknown[] };
    const { statements, result } = await countSql(gw, () =>
      client.ok<{ consortium: { memberships: Counted; everyone: Counted; uncounted: Counted; compilations: Counted; environments: { nodes: { nodes: Counted }[] } } }, { id: string }>(
        `query($id: ID!) { consortium(id: $id) {
           memberships(first: 3) { totalCount nodes { id } }
           everyone: memberships(first: 2, status: [ACTIVE, FROZEN, LEFT]) { ...Counted }
           uncounted: memberships(first: 2, status: [LEFT]) { nodes { id } }
           compilations(first: 2) { ... on CompilationConnection { total: totalCount } }
           environments(first: 5) { nodes { nodes(first: 2) { ...NodeCount } } }
         } }
         fragment Counted on MembershipConnection { totalCount }
         fragment NodeCount on NodeConnection { nodes { id } ... on NodeConnection { totalCount } }`,
        { id: big.consortiumId },
      ),
    );
    const c = result.consortium;
    expect(c.memberships.totalCount).toBe(listed);
    expect(c.everyone.totalCount).toBe(all);
    expect(c.uncounted).toEqual({ nodes: expect.any(Array) });
    expect(c.compilations.total).toBe(compilations);
    expect(c.environments.nodes[0].nodes.totalCount).toBe(nodes);
    // One grouped count per counted list; the LEFT memberships, not counted, cost none.
    expect(counts(statements), statements.join('\n')).toHaveLength(4);
    expect(counts(statements).every((s) => /group by/i.test(s) && !/\bover\s*\(/i.test(s))).toBe(true);
  });

  it('a field selected twice under one name, once with totalCount, is counted; so is a later page', async () => {
    const listed = await stored('membership', `consortium_id = ? and status in ('ACTIVE', 'FROZEN')`, [big.consortiumId]);
    type Page = { totalCount: number; pageInfo: { endCursor: string }; nodes: { id: string }[] };
    const first = await client.ok<{ consortium: { memberships: Page; compilations: Page } }, { id: string }>(
      `query($id: ID!) { consortium(id: $id) {
         memberships(first: 2) { pageInfo { endCursor } nodes { id } }
         memberships(first: 2) { totalCount }
         compilations(first: 2) { pageInfo { endCursor } }
       } }`,
      { id: big.consortiumId },
    );
    expect(first.consortium.memberships.totalCount).toBe(listed);
    expect(first.consortium.memberships.nodes).toHaveLength(2);
    const later = await client.ok<{ consortium: { memberships: Page; compilations: Page } }, { id: string; m: string; k: string }>(
      `query($id: ID!, $m: String, $k: String) { consortium(id: $id) {
         memberships(first: 2, after: $m) { totalCount nodes { id } }
         compilations(first: 2, after: $k) { totalCount }
       } }`,
      { id: big.consortiumId, m: first.consortium.memberships.pageInfo.endCursor, k: first.consortium.compilations.pageInfo.endCursor },
    );
    expect(later.consortium.memberships.totalCount).toBe(listed);
    expect(later.consortium.memberships.nodes).toHaveLength(2);
    expect(later.consortium.compilations.totalCount).toBe(MANY);
  });
});

describe('the lists read through the entity manager', () => {
  const lists = (counted: boolean) => {
    const t = counted ? ' totalCount' : '';
    return `query($id: ID!) {
      consortia(first: 1) { nodes { id }${t} }
      pendingInvitations(first: 1) { nodes { id }${t} }
      consortiumInvitations(consortiumId: $id, first: 1) { nodes { id }${t} }
      consortiumApplications(consortiumId: $id, first: 1) { nodes { id }${t} }
      proposals(consortiumId: $id, first: 1) { nodes { id }${t} }
      serviceAccounts(first: 1) { nodes { id }${t} }
      me { organization { users(first: 1) { nodes { id }${t} } } }
    }`;
  };
  type Counted = { totalCount?: number; nodes: unknown[] };
  type Lists = Record<'consortia' | 'pendingInvitations' | 'consortiumInvitations' | 'consortiumApplications' | 'proposals' | 'serviceAccounts', Counted> & {
    me: { organization: { users: Counted } };
  };

  it('count only when totalCount is selected, and then exactly', async () => {
    const c = await newConsortium(gw);
    const org = c.admin.org.id;
    const bare = await countSql(gw, () => c.admin.owner.client.ok<Lists, { id: string }>(lists(false), { id: c.consortiumId }));
    expect(bare.result.consortia.nodes).toHaveLength(1);
    expect(counts(bare.statements), bare.statements.join('\n')).toEqual([]);

    const counted = await countSql(gw, () => c.admin.owner.client.ok<Lists, { id: string }>(lists(true), { id: c.consortiumId }));
    expect(counts(counted.statements), counted.statements.join('\n')).toHaveLength(7);
    const r = counted.result;
    expect(r.consortia.totalCount).toBe(
      await stored(
        'consortium k',
        `k.deleted_at is null and exists (select 1 from membership m where m.consortium_id = k.id and m.organization_id = ? and m.status in ('ACTIVE', 'FROZEN'))`,
        [org],
      ),
    );
    expect(r.me.organization.users.totalCount).toBe(await stored('app_user', 'organization_id = ?', [org]));
    expect(r.serviceAccounts.totalCount).toBe(await stored('service_account', 'organization_id = ?', [org]));
    expect(r.proposals.totalCount).toBe(await stored('proposal', 'consortium_id = ?', [c.consortiumId]));
    expect([r.pendingInvitations.totalCount, r.consortiumInvitations.totalCount, r.consortiumApplications.totalCount]).toEqual([0, 0, 0]);
    expect(bare.result.consortia.nodes).toEqual(r.consortia.nodes);
  });
});

describe('a total nobody selected', () => {
  it('is read only when something reads totalCount, and once', async () => {
    let reads = 0;
    const page = pageFrom([], async () => ++reads && 7, 10);
    expect(reads).toBe(0);
    expect(await page.totalCount).toBe(7);
    expect(await page.totalCount).toBe(7);
    expect(reads).toBe(1);
  });
});

describe('rows stored in one millisecond', () => {
  it('come page by page, each exactly once, in (createdAt, id) order', async () => {
    const c = await newConsortium(gw);
    const instant = '2026-02-02T02:02:02.002Z';
    await sql(
      `insert into membership (id, consortium_id, organization_id, display_name, role, created_at)
       select gen_random_uuid(), ?, ?, 'same ' || i, 'MEMBER', ? from generate_series(1, 7) i`,
      [c.consortiumId, c.admin.org.id, instant],
    );
    await sql(
      `insert into compilation (id, consortium_id, name, version, source, status, created_by_id, created_at)
       select gen_random_uuid(), ?, 'same ' || i, 1, 'contract C {}', 'FAILED', ?, ? from generate_series(1, 7) i`,
      [c.consortiumId, c.admin.membershipId, instant],
    );
    type Page = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string }[] };
    for (const list of ['memberships', 'compilations'] as const) {
      const pages: Page[] = [];
      let after: string | null = null;
      do {
        const data: { consortium: Record<string, Page> } = await c.admin.owner.client.ok<{ consortium: Record<string, Page> }, { id: string; after: string | null }>(
          `query($id: ID!, $after: String) { consortium(id: $id) { ${list}(first: 3, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } } }`,
          { id: c.consortiumId, after },
        );
        pages.push(data.consortium[list]);
        after = data.consortium[list].pageInfo.hasNextPage ? data.consortium[list].pageInfo.endCursor : null;
      } while (after);
      const table = list === 'memberships' ? 'membership' : 'compilation';
      const rows = await sql<{ id: string }>(`select id from ${table} where consortium_id = ? order by created_at, id`, [c.consortiumId]);
      expect(rows.length).toBeGreaterThanOrEqual(7);
      expect(pages.flatMap((p) => p.nodes.map((n) => n.id)), list).toEqual(rows.map((r) => r.id));
    }
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  Plans?: PlanNode[];
}

/** Every node of a plan. */
function flatten(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(flatten)];
}

describe('a first page on a parent with thousands of children', () => {
  it('reads about first + 1 rows of the index, not the whole list', async () => {
    const seen: ReaderQueryEvent[] = [];
    const listen = (q: ReaderQueryEvent) => seen.push(q);
    gw.app.services.reader.on('query', listen);
    try {
      await client.ok<unknown, { id: string; env: string }>(
        `query($id: ID!, $env: ID!) {
           consortium(id: $id) { memberships(first: 10) { nodes { id organization { id } } } compilations(first: 10) { nodes { id } } }
           environment(id: $env) { nodes(first: 10) { nodes { id } } }
         }`,
        { id: big.consortiumId, env: environmentId },
      );
    } finally {
      gw.app.services.reader.removeListener('query', listen);
    }
    for (const [table, parent, index] of [
      ['membership', 'consortium_id', 'membership_consortium_created_idx'],
      ['compilation', 'consortium_id', 'compilation_consortium_created_idx'],
      ['node', 'environment_id', 'node_environment_created_idx'],
    ]) {
      // The statement that reads the table by its parent key (not a count).
      const byParent = new RegExp(`from "?${table}"?\\s+\\w+\\s[^()]*?\\bwhere\\s+\\w+\\."?${parent}"?\\s*=`);
      const page = seen.filter((q) => byParent.test(q.sql) && !/\bgroup by\b/i.test(q.sql));
      expect(page, `the first page of ${table}s`).toHaveLength(1);
      // Explained on a connection of the gateway's read path, with its settings (no bitmap scans).
      const [explained] = await gw.app.services.reader.rows<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `explain (analyze, format json) ${page[0].sql}`,
        page[0].bindings as unknown[],
      );
      const plan = flatten(explained['QUERY PLAN'][0].Plan);
      // Every read of the table other than by primary key is the page's index, and stops after
      // first + 1 entries (per parent: there is one).
      const reads = plan.filter((n) => n['Relation Name'] === table && n['Index Name'] !== `${table}_pkey`);
      expect(reads.map((n) => n['Index Name']), JSON.stringify(plan.map((n) => n['Node Type']))).toEqual([index]);
      expect(reads[0]['Actual Rows']).toBeLessThanOrEqual(11);
      expect(plan.some((n) => n['Node Type'] === 'WindowAgg')).toBe(false);
    }
  });
});

describe('a first page of a list read through the entity manager, on a parent with thousands of rows', () => {
  it('walks the list’s index for about first + 1 entries', async () => {
    const c = await newConsortium(gw);
    await sql(
      `insert into app_user (id, subject, email, organization_id, account_role, created_at)
       select gen_random_uuid(), 'bulk|' || ? || '|' || i, 'bulk' || i || '.' || ? || '@example.test', ?, 'MEMBER', timestamptz '2026-01-01' + i * interval '1 second'
         from generate_series(1, ${MANY}) i`,
      [c.consortiumId, c.consortiumId, c.admin.org.id],
    );
    await sql(
      `insert into invitation (id, consortium_id, inviting_membership_id, invitee_email, status, expires_at, created_by_id, created_at)
       select gen_random_uuid(), ?, ?, 'invitee' || i || '@example.test', 'PENDING', now() + interval '7 days', ?, timestamptz '2026-01-01' + i * interval '1 second'
         from generate_series(1, ${MANY}) i`,
      [c.consortiumId, c.admin.membershipId, c.admin.owner.id],
    );
    await sql('vacuum analyze app_user, invitation');
    const knex = gw.app.services.orm.em.getKnex();
    const seen: { sql: string; bindings: unknown[] }[] = [];
    const listen = (q: { sql: string; bindings: unknown[] }) => seen.push(q);
    knex.on('query', listen);
    try {
      const r = await c.admin.owner.client.ok<{ consortiumInvitations: { nodes: unknown[] }; me: { organization: { users: { nodes: unknown[] } } } }, { id: string }>(
        `query($id: ID!) { consortiumInvitations(consortiumId: $id, first: 10) { nodes { id } } me { organization { users(first: 10) { nodes { id } } } } }`,
        { id: c.consortiumId },
      );
      expect(r.consortiumInvitations.nodes).toHaveLength(10);
      expect(r.me.organization.users.nodes).toHaveLength(10);
    } finally {
      knex.removeListener('query', listen);
    }
    for (const [table, index] of [
      ['invitation', 'invitation_consortium_created_idx'],
      ['app_user', 'app_user_organization_created_idx'],
    ]) {
      const page = seen.filter((q) => new RegExp(`from "${table}" as "\\w+"`).test(q.sql) && /\blimit\b/i.test(q.sql));
      expect(page, `the first page of ${table}: ${seen.map((q) => q.sql).join('\n')}`).toHaveLength(1);
      const explained = await knex.raw(`explain (analyze, format json) ${page[0].sql}`, page[0].bindings as never);
      const plan = flatten(explained.rows[0]['QUERY PLAN'][0].Plan as PlanNode);
      const reads = plan.filter((n) => n['Relation Name'] === table && n['Index Name'] !== `${table}_pkey`);
      expect(reads.map((n) => n['Index Name']), JSON.stringify(plan.map((n) => n['Node Type']))).toEqual([index]);
      expect(reads[0]['Actual Rows']).toBeLessThanOrEqual(11);
    }
  });
});
