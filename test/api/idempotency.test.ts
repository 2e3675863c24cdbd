import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../support/db';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';

// Two instances on one database: a key is honoured by whichever one the retry reaches.
let a: TestGateway;
let b: TestGateway;
let org: TestOrganization;
beforeAll(async () => {
  [a, b] = await Promise.all([startTestGateway(), startTestGateway()]);
  org = await createOrganization(a);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

const CREATE = 'mutation ($name: String!) { createConsortium(input: { name: $name }) { id name } }';

async function create(gw: TestGateway, name: string, key?: string, email = org.owner.email) {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await gw.tokenFor(email)}`,
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify({ query: CREATE, variables: { name } }),
  });
  const body = (await response.json()) as { data?: { createConsortium: { id: string } }; errors?: { extensions: { code: string } }[] };
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body };
}

const rows = async (name: string) => (await sql<{ id: string }>('select id from consortium where name = ?', [name])).length;

describe('Idempotency-Key', () => {
  it('a retried key returns the stored answer and changes nothing, on another instance too', async () => {
    const name = `Idempotent ${Date.now()}`;
    const key = `key-${Date.now()}`;
    const first = await create(a, name, key);
    expect(first.status).toBe(200);
    expect(first.replayed).toBeNull();
    const retry = await create(a, name, key);
    expect(retry.replayed).toBe('true');
    expect(retry.body.data).toEqual(first.body.data);
    const elsewhere = await create(b, name, key);
    expect(elsewhere.body.data).toEqual(first.body.data);
    expect(await rows(name)).toBe(1);
  });

  it('without a key, the same mutation runs twice', async () => {
    const name = `Not idempotent ${Date.now()}`;
    expect((await create(a, name)).status).toBe(200);
    expect((await create(a, name)).status).toBe(200);
    expect(await rows(name)).toBe(2);
  });

  it('refuses a key reused for another request (422) and keeps keys apart per caller', async () => {
    const key = `reuse-${Date.now()}`;
    const name = `Reuse ${Date.now()}`;
    expect((await create(a, name, key)).status).toBe(200);
    const other = await create(a, `${name} bis`, key);
    expect(other.status).toBe(422);
    expect(other.body.errors?.[0]?.extensions.code).toBe('CONFLICT');
    expect(await rows(`${name} bis`)).toBe(0);
    const stranger = await createOrganization(a);
    const theirs = await create(a, `${name} theirs`, key, stranger.owner.email);
    expect(theirs.status).toBe(200);
    expect(theirs.replayed).toBeNull();
  });

  it('runs a key sent twice at once only once', async () => {
    const name = `Concurrent ${Date.now()}`;
    const key = `concurrent-${Date.now()}`;
    const answers = await Promise.all([create(a, name, key), create(b, name, key)]);
    const ok = answers.filter((x) => x.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const other of answers.filter((x) => x.status !== 200)) {
      expect([other.status, other.body.errors?.[0]?.extensions.code]).toEqual([409, 'CONFLICT']);
    }
    expect(await rows(name)).toBe(1);
  });

  it('refuses a malformed key', async () => {
    const answer = await create(a, `Bad key ${Date.now()}`, 'x'.repeat(300));
    expect([answer.status, answer.body.errors?.[0]?.extensions.code]).toEqual([400, 'BAD_USER_INPUT']);
  });
});
