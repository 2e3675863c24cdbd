// Every list of a consortium is a page: memberships, environments and an environment's nodes are
// connections like compilations, read page by page with `first` and `after`, each page capped by
// MAX_PAGE_SIZE, and a first page costs the same statements for one consortium or many.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLClient } from '../support/client';
import { addSeat, createEnv, newConsortium, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { sql } from '../support/db';
import { countSql } from '../support/sql-counter';

let gw: TestGateway;
let c: TestConsortium;
let client: GraphQLClient;
let environments: string[];
let nodes: string[];
beforeAll(async () => {
  gw = await startTestGateway({ MAX_PAGE_SIZE: '4' });
  c = await newConsortium(gw);
  client = c.admin.owner.client;
  for (let i = 0; i < 4; i++) await addSeat(gw, c);
  environments = [];
  for (let i = 0; i < 5; i++) environments.push(await createEnv(client, c.consortiumId));
  // Five nodes stored in one microsecond-precise instant: pages must follow (createdAt, id)
  // exactly as cursors carry it (milliseconds), never skipping nor repeating a row.
  nodes = [];
  for (let i = 0; i < 5; i++) {
    const id = randomUUID();
    await sql(
      `insert into node (id, environment_id, membership_id, name, role, created_at)
       values (?, ?, ?, ?, 'NON_SIGNER', '2026-06-01T10:00:00.123456Z')`,
      [id, environments[0], c.admin.membershipId, `n${i}`],
    );
    nodes.push(id);
  }
});
afterAll(() => gw?.stop());

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { id: string }[];
}

/** Every page of a list, `first` rows at a time, through the public API. */
async function allPages(read: (after: string | null) => Promise<Page>): Promise<Page[]> {
  const pages = [await read(null)];
  while (pages.at(-1)!.pageInfo.hasNextPage) pages.push(await read(pages.at(-1)!.pageInfo.endCursor));
  return pages;
}

const PAGE = 'totalCount pageInfo { hasNextPage endCursor } nodes { id }';

describe('paged lists of a consortium', () => {
  it('memberships come page by page, oldest first, each once, with the total on every page', async () => {
    const pages = await allPages(async (after) => {
      const data = await client.ok<{ consortium: { memberships: Page } }, { id: string; after: string | null }>(
        `query($id: ID!, $after: String) { consortium(id: $id) { memberships(first: 2, after: $after) { ${PAGE} } } }`,
        { id: c.consortiumId, after },
      );
      return data.consortium.memberships;
    });
    expect(pages.map((p) => p.nodes.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.totalCount)).toEqual([5, 5, 5]);
    const ids = pages.flatMap((p) => p.nodes.map((m) => m.id));
    const stored = await sql<{ id: string }>('select id from membership where consortium_id = ? order by created_at, id', [c.consortiumId]);
    expect(ids).toEqual(stored.map((r) => r.id));
    expect(pages.at(-1)!.pageInfo.hasNextPage).toBe(false);
  });

  it('environments and an environment’s nodes come page by page too', async () => {
    const envPages = await allPages(async (after) => {
      const data = await client.ok<{ consortium: { environments: Page } }, { id: string; after: string | null }>(
        `query($id: ID!, $after: String) { consortium(id: $id) { environments(first: 3, after: $after) { ${PAGE} } } }`,
        { id: c.consortiumId, after },
      );
      return data.consortium.environments;
    });
    expect(envPages.map((p) => p.nodes.length)).toEqual([3, 2]);
    expect(envPages.flatMap((p) => p.nodes.map((e) => e.id))).toEqual(environments);

    const nodePages = await allPages(async (after) => {
      const data = await client.ok<{ environment: { nodes: Page } }, { id: string; after: string | null }>(
        `query($id: ID!, $after: String) { environment(id: $id) { nodes(first: 2, after: $after) { ${PAGE} } } }`,
        { id: environments[0], after },
      );
      return data.environment.nodes;
    });
    expect(nodePages.map((p) => p.nodes.length)).toEqual([2, 2, 1]);
    expect(nodePages.map((p) => p.totalCount)).toEqual([5, 5, 5]);
    expect(nodePages.flatMap((p) => p.nodes.map((n) => n.id))).toEqual([...nodes].sort());
  });

  it('a page past the last row is empty and still tells the total', async () => {
    const first = await client.ok<{ consortium: { memberships: Page } }, Record<string, never>>(
      `{ consortium(id: "${c.consortiumId}") { memberships(first: 4) { ${PAGE} } } }`,
    );
    const last = await client.ok<{ consortium: { memberships: Page } }, Record<string, never>>(
      `{ consortium(id: "${c.consortiumId}") { memberships(first: 4) { ${PAGE} } } }`.replace(
        'first: 4)',
        `first: 4, after: "${first.consortium.memberships.pageInfo.endCursor}")`,
      ),
    );
    expect(last.consortium.memberships.nodes).toHaveLength(1);
    const past = await client.ok<{ consortium: { memberships: Page } }, Record<string, never>>(
      `{ consortium(id: "${c.consortiumId}") { memberships(first: 4, after: "${last.consortium.memberships.pageInfo.endCursor}") { ${PAGE} } } }`,
    );
    expect(past.consortium.memberships).toEqual({ totalCount: 5, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] });
  });

  it('a page is at most MAX_PAGE_SIZE rows, 50 by default capped by it; a bad cursor or size is BAD_USER_INPUT', async () => {
    const byDefault = await client.ok<{ consortium: { memberships: Page; environments: Page } }, Record<string, never>>(
      `{ consortium(id: "${c.consortiumId}") { memberships { ${PAGE} } environments { ${PAGE} } } }`,
    );
    expect(byDefault.consortium.memberships.nodes).toHaveLength(4);
    expect(byDefault.consortium.memberships.pageInfo.hasNextPage).toBe(true);
    expect(byDefault.consortium.environments.nodes).toHaveLength(4);
    for (const field of ['memberships', 'environments']) {
      const tooLarge = await client.fails('BAD_USER_INPUT', `{ consortium(id: "${c.consortiumId}") { ${field}(first: 5) { totalCount } } }`);
      expect(tooLarge.message).toMatch(/between 1 and 4/);
      await client.fails('BAD_USER_INPUT', `{ consortium(id: "${c.consortiumId}") { ${field}(first: 0) { totalCount } } }`);
      await client.fails('BAD_USER_INPUT', `{ consortium(id: "${c.consortiumId}") { ${field}(after: "bm90IGEgY3Vyc29y") { totalCount } } }`);
      const forged = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', "x' or 1=1"])).toString('base64url');
      await client.fails('BAD_USER_INPUT', `{ consortium(id: "${c.consortiumId}") { ${field}(after: "${forged}") { totalCount } } }`);
    }
    await client.fails('BAD_USER_INPUT', `{ environment(id: "${environments[0]}") { nodes(first: 5) { totalCount } } }`);
  });

  it('first pages of every consortium’s lists cost the same statements for 1 consortium or 3', async () => {
    const owner = c.admin.owner;
    const query = `{ consortia(first: 4) { nodes { memberships(first: 2) { ${PAGE} }
      environments(first: 2) { totalCount nodes { nodes(first: 2) { ${PAGE} } } } } } }`;
    const one = await countSql(gw, () => owner.client.ok<{ consortia: { nodes: { memberships: Page }[] } }, Record<string, never>>(query));
    expect(one.result.consortia.nodes).toHaveLength(1);
    for (let i = 0; i < 2; i++) {
      const { createConsortium } = await owner.client.ok<{ createConsortium: { id: string } }, Record<string, never>>(
        `mutation { createConsortium(input: { name: "paged ${i} ${randomUUID().slice(0, 8)}" }) { id } }`,
      );
      await createEnv(owner.client, createConsortium.id);
    }
    const three = await countSql(gw, () => owner.client.ok<{ consortia: { nodes: { memberships: Page }[] } }, Record<string, never>>(query));
    expect(three.result.consortia.nodes).toHaveLength(3);
    expect(three.result.consortia.nodes.map((x) => x.memberships.totalCount)).toEqual([5, 1, 1]);
    expect(three.count, three.statements.join('\n')).toBe(one.count);
  });
});
