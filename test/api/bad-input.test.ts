// The bad inputs once answered 500 / INTERNAL_SERVER_ERROR, each now refused with a code and
// nothing written. (The corpus generated from the schema is malformed-input.test.ts.)
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient, type Result } from '../support/client';
import { sql } from '../support/db';
import { newConsortium, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, TEST_JWT_SECRET, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
let c: TestConsortium;
let owner: GraphQLClient;
beforeAll(async () => {
  gw = await startTestGateway();
  c = await newConsortium(gw);
  owner = c.admin.owner.client;
});
afterAll(() => gw?.stop());

function refused(result: Result<unknown>, code: string): void {
  expect(result.status).toBeLessThan(500);
  expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result.errors)).toBe(code);
}

const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe('bad input is refused with a code and changes nothing', () => {
  it('a NUL character in a description, a billing contact or a Solidity source', async () => {
    refused(
      await owner.request('mutation($id: ID!, $d: String) { updateConsortium(id: $id, input: { description: $d }) { id } }', {
        id: c.consortiumId, d: 'letters\u0000of credit',
      }),
      'BAD_USER_INPUT',
    );
    refused(
      await owner.request('mutation($id: ID!, $v: String) { updateBilling(id: $id, input: { contact: $v }) { id } }', {
        id: c.admin.org.id, v: 'billing\u0000@example.test',
      }),
      'BAD_USER_INPUT',
    );
    refused(
      await owner.request('mutation($id: ID!, $s: String!) { createCompilation(input: { consortiumId: $id, name: "nul", source: $s }) { id } }', {
        id: c.consortiumId, s: 'pragma solidity ^0.8.0;\u0000 contract A {}',
      }),
      'BAD_USER_INPUT',
    );
    const [consortium] = await sql<{ description: string | null }>('select description from consortium where id = ?', [c.consortiumId]);
    expect(consortium.description ?? '').not.toContain('\u0000');
    const [org] = await sql<{ billing_contact: string | null }>('select billing_contact from organization where id = ?', [c.admin.org.id]);
    expect(org.billing_contact).toBeNull();
    expect(await sql('select id from compilation where consortium_id = ?', [c.consortiumId])).toEqual([]);
  });

  it('an unpaired surrogate in a name, as a variable', async () => {
    const result = await owner.request('mutation($id: ID!, $n: String!) { renameOrganization(id: $id, name: $n) { name } }', {
      id: c.admin.org.id, n: 'Acme \ud800 Trade',
    });
    refused(result, 'BAD_USER_INPUT');
    expect(result.errors![0].extensions?.field).toBe('name');
    const [org] = await sql<{ name: string }>('select name from organization where id = ?', [c.admin.org.id]);
    expect(org.name).toBe(c.admin.org.name);
  });

  it('a cursor naming a non-uuid id, or a date in year 275760', async () => {
    const query = 'query($after: String) { consortia(after: $after) { totalCount } }';
    const uuid = '00000000-0000-4000-8000-000000000000';
    for (const after of [
      cursor([new Date().toISOString(), 'not-a-uuid']),
      cursor(['+275760-09-13T00:00:00.000Z', uuid]),
      cursor(['275760-01-01', uuid]),
    ]) {
      refused(await owner.request(query, { after }), 'BAD_USER_INPUT');
    }
  });

  it('an operationName that names no operation of the document', async () => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(body.errors[0].message).toBe('Unknown operation named "B"');
  });

  describe('token claims that cannot be stored are UNAUTHENTICATED, and provision no one', () => {
    const sign = (claims: Record<string, unknown>, sub: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const me = async (token: string) => new GraphQLClient(gw.url, async () => token).request('{ me { id name } }');

    const mark = () => `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    type Claims = (marker: string) => [Record<string, unknown>, string];
    it.each<[string, Claims]>([
      ['a NUL in sub', (m: string) => [{ email: `${m}@example.test` }, `nul\u0000${m}`]],
      ['a sub of 5,000 characters', (m: string) => [{ email: `${m}@example.test` }, m + 's'.repeat(5000)]],
      ['a NUL in email', (m: string) => [{ email: `nul\u0000${m}@example.test` }, `sub-${m}`]],
      ['an unpaired surrogate in email', (m: string) => [{ email: `x\udc00${m}@example.test` }, `sub-${m}`]],
    ])('%s', async (_label, make) => {
      const m = mark();
      const [claims, sub] = make(m);
      const result = await me(await sign(claims, sub));
      expect(result.status).toBe(401);
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      // The marker is in the claim refused: no row carries it.
      expect(await sql('select id from app_user where subject like ? or email like ?', [`%${m}%`, `%${m}%`])).toEqual([]);
    });

    it('a name with a NUL or an unpaired surrogate is dropped, the user provisioned without it', async () => {
      for (const name of ['Ada\u0000Lovelace', 'Ada \ud800']) {
        const result = await me(await sign({ email: uniqueEmail('named'), name }, `named-${Math.random()}`));
        expect(result.errors).toBeUndefined();
        expect((result.data as { me: { name: string | null } }).me.name).toBeNull();
      }
    });
  });
});
