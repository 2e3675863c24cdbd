import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestConsortium } from '../support/factories/consortium';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';

// Limits are checked before execution, so a refused operation runs no resolver and no SQL.
let gw: TestGateway;
let org: TestOrganization;
let consortiumId: string;
beforeAll(async () => {
  gw = await startTestGateway({ MAX_QUERY_DEPTH: '5', MAX_ALIASES: '3', MAX_QUERY_COST: '300', MAX_BATCH_OPERATIONS: '2', MAX_PAGE_SIZE: '20' });
  org = await createOrganization(gw);
  consortiumId = (await createTestConsortium(org.owner)).id;
});
afterAll(() => gw?.stop());

describe('query limits', () => {
  it('refuses an operation deeper than MAX_QUERY_DEPTH, fragments included', async () => {
    const ok = await org.owner.client.request(`{ consortium(id: "${consortiumId}") { memberships { nodes { consortium { id } } } } }`);
    expect(ok.errors).toBeUndefined();
    const deep = `
      fragment M on Membership { consortium { creatorOrganization { id } } }
      { consortium(id: "${consortiumId}") { memberships { nodes { ...M } } } }`;
    const error = await org.owner.client.fails('QUERY_TOO_COMPLEX', deep);
    expect(error.message).toMatch(/depth 6 exceeds the maximum of 5/);
  });

  it('refuses more aliases than MAX_ALIASES', async () => {
    await org.owner.client.ok('{ a: me { id } b: me { id } c: me { id } }');
    const error = await org.owner.client.fails('QUERY_TOO_COMPLEX', '{ a: me { id } b: me { id } c: me { id } d: me { id } }');
    expect(error.message).toMatch(/4 aliases exceed the maximum of 3/);
  });

  it('refuses an operation whose estimated cost exceeds MAX_QUERY_COST: lists multiply', async () => {
    await org.owner.client.ok(`{ consortium(id: "${consortiumId}") { memberships { nodes { id organization { id } } } } }`);
    // Each of 20 consortia with a page of memberships (the default page: MAX_PAGE_SIZE 20 here):
    // 1 + 20 × (1 + 20 × 2) = 821.
    const costly = `{ consortia(first: 20) { nodes { memberships { totalCount nodes { id } } } } }`;
    const error = await gw.anonymous().withRawAuthorization(`Bearer ${await gw.tokenFor(org.owner.email)}`).fails('QUERY_TOO_COMPLEX', costly);
    expect(error.extensions).toMatchObject({ cost: 821, maxCost: 300 });
  });

  it('costs a paginated list by the page size asked for', async () => {
    // 1 + 20 × (1 + 2 × 2) = 101: the same lists, pages of 2.
    await org.owner.client.ok(`{ consortia(first: 20) { nodes { memberships(first: 2) { totalCount nodes { id } } } } }`);
    // 1 + 20 × (1 + 7 × 2) = 301.
    const error = await org.owner.client.fails('QUERY_TOO_COMPLEX', `{ consortia(first: 20) { nodes { memberships(first: 7) { totalCount nodes { id } } } } }`);
    expect(error.extensions).toMatchObject({ cost: 301, maxCost: 300 });
  });

  it('refuses a page larger than MAX_PAGE_SIZE with BAD_USER_INPUT', async () => {
    await org.owner.client.ok(`{ consortium(id: "${consortiumId}") { compilations(first: 20) { totalCount } } }`);
    const error = await org.owner.client.fails('BAD_USER_INPUT', `{ consortium(id: "${consortiumId}") { compilations(first: 21) { totalCount } } }`);
    expect(error.message).toMatch(/between 1 and 20/);
  });

  it('refuses a batch of more operations than MAX_BATCH_OPERATIONS', async () => {
    const token = await gw.tokenFor(org.owner.email);
    const send = (n: number) =>
      fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(Array.from({ length: n }, () => ({ query: '{ me { id } }' }))),
      });
    const two = await send(2);
    expect(two.status).toBe(200);
    expect(await two.json()).toHaveLength(2);
    const three = await send(3);
    expect(three.status).toBe(400);
    const body = (await three.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });
});
