import { getIntrospectionQuery } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';
import { codeOf, openSocket, type TestSocket } from '../support/ws-operation';

// Every refusal of the pipeline, sent over HTTP and over graphql-ws: the same code on both.
let gw: TestGateway;
let org: TestOrganization;
let token: string;
let socket: TestSocket;
beforeAll(async () => {
  gw = await startTestGateway({
    MAX_QUERY_DEPTH: '5',
    MAX_ALIASES: '3',
    MAX_QUERY_COST: '300',
    MAX_QUERY_TOKENS: '400',
    MAX_DOCUMENT_BYTES: '4096',
    MAX_VARIABLES: '3',
    MAX_BODY_BYTES: '65536',
    MAX_CONNECTION_PARAMS_BYTES: '1024',
    MAX_SUBSCRIPTIONS_PER_SOCKET: '2',
    MAX_SOCKETS_PER_USER: '3',
  });
  org = await createOrganization(gw);
  token = await gw.tokenFor(org.owner.email);
  socket = await openSocket(gw, token);
});
afterAll(async () => {
  await socket?.dispose();
  await gw?.stop();
});

/** Sends one operation over HTTP: its status and first error code. */
async function overHttp(query: string, variables: Record<string, unknown> = {}, bearer: string | null = token) {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, body };
}

const nested = (levels: number) => {
  let selection = 'id';
  for (let i = 0; i < levels; i++) selection = i % 2 === 0 ? `consortia { creatorOrganization { ${selection} } }` : `consortia { ${selection} }`;
  return `{ me { organization { ${selection} } } }`;
};

const refused: { name: string; query: string; variables?: Record<string, unknown>; code: string; status: number }[] = [
  { name: 'the attack of 15 nested levels (depth)', query: nested(15), code: 'QUERY_TOO_COMPLEX', status: 400 },
  { name: 'more aliases than MAX_ALIASES', query: '{ a: me { id } b: me { id } c: me { id } d: me { id } }', code: 'QUERY_TOO_COMPLEX', status: 400 },
  {
    name: 'a cost above MAX_QUERY_COST',
    query: '{ me { organization { consortia { memberships { nodes { organization { consortia { id } } } } } } } }',
    code: 'QUERY_TOO_COMPLEX',
    status: 400,
  },
  { name: 'more tokens than MAX_QUERY_TOKENS', query: `{ me { ${'id '.repeat(500)} } }`, code: 'QUERY_TOO_COMPLEX', status: 400 },
  { name: 'a document larger than MAX_DOCUMENT_BYTES', query: `{ me { id } } # ${'x'.repeat(5000)}`, code: 'QUERY_TOO_COMPLEX', status: 413 },
  {
    name: 'more variables sent than MAX_VARIABLES',
    query: '{ me { id } }',
    variables: { a: 1, b: 2, c: 3, d: 4 },
    code: 'QUERY_TOO_COMPLEX',
    status: 400,
  },
  {
    name: 'more variables defined than MAX_VARIABLES',
    query: 'query ($a: Int, $b: Int, $c: Int, $d: Int) { me { id } }',
    code: 'QUERY_TOO_COMPLEX',
    status: 400,
  },
  { name: 'a syntax error', query: '{ me { id }', code: 'GRAPHQL_PARSE_FAILED', status: 400 },
  { name: 'an unknown field', query: '{ me { nope } }', code: 'GRAPHQL_VALIDATION_FAILED', status: 400 },
];

describe('one pipeline for HTTP and graphql-ws', () => {
  it.each(refused)('refuses $name with the same code on both transports', async ({ query, variables, code, status }) => {
    const http = await overHttp(query, variables);
    expect(http.code, JSON.stringify(http.body)).toBe(code);
    expect(http.status).toBe(status);
    const ws = await socket.run(query, variables);
    expect(codeOf(ws), JSON.stringify(ws)).toBe(code);
    // The socket is unharmed by a refused operation.
    expect(socket.closed).toBeNull();
    const ok = await socket.run('{ me { id } }');
    expect(ok.kind === 'result' && ok.result.data).toEqual({ me: { id: org.owner.id } });
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'x'],
  ])('refuses variables that are %s: 400 BAD_REQUEST over HTTP, a malformed message (4400) over graphql-ws', async (_, variables) => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }', variables }),
    });
    const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(response.status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    // The pipeline's own bound of the raw request (which counts the variables too), before Apollo parses.
    expect(body.errors?.[0]?.message).toBe('Variables must be an object');
    // graphql-ws checks a subscribe message's shape before the pipeline sees it.
    const raw = new WebSocket(gw.wsUrl, 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)));
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
    await new Promise((resolve) => raw.once('message', resolve));
    raw.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ me { id } }', variables } }));
    expect(await closed).toBe(4400);
  });

  it('answers an operation within the limits on both transports, with the cost spent in extensions.cost', async () => {
    const http = await overHttp('{ me { id } }');
    expect(http.status).toBe(200);
    expect((http.body as { extensions?: { cost?: unknown } }).extensions?.cost).toMatchObject({ requested: 2, limit: expect.any(Number), remaining: expect.any(Number) });
    const ws = await socket.run('{ me { id } }');
    expect(ws.kind === 'result' && (ws.result.extensions as { cost?: unknown } | undefined)?.cost).toMatchObject({ requested: 2, remaining: expect.any(Number) });
  });

  it('refuses a bad token: 401 over HTTP, 4403 on connection_init', async () => {
    const http = await overHttp('{ me { id } }', {}, 'not.a.token');
    expect([http.status, http.code]).toEqual([401, 'UNAUTHENTICATED']);
    const bad = await openSocket(gw, 'not.a.token');
    expect((await bad.waitClosed()).code).toBe(4403);
    await bad.dispose();
  });

  it('bounds connection_init before verifying its token (4400)', async () => {
    const big = await openSocket(gw, null, { Authorization: `Bearer ${token}`, padding: 'x'.repeat(2048) });
    expect((await big.waitClosed()).code).toBe(4400);
    await big.dispose();
  });

  it('bounds a WebSocket message like an HTTP body (MAX_BODY_BYTES)', async () => {
    const http = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(70_000) } }),
    });
    expect(http.status).toBe(413);
    expect(((await http.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const raw = new WebSocket(gw.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => raw.once('open', resolve));
    const closed = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)));
    raw.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(70_000) } }));
    expect(await closed).toBe(1009); // Message Too Big, before graphql-ws parses it
  });

  it('caps the operations of one socket; the refused one gets an error, the others keep running', async () => {
    const own = await openSocket(gw, token);
    const events = 'subscription { organizationEvents { sequence } }';
    const first = own.client.iterate({ query: events });
    const second = own.client.iterate({ query: events });
    void first.next();
    void second.next();
    await new Promise((r) => setTimeout(r, 300));
    const third = await own.run(events);
    expect(codeOf(third)).toBe('QUERY_TOO_COMPLEX');
    expect(own.closed).toBeNull();
    await first.return?.(undefined);
    const query = await own.run('{ me { id } }');
    expect(query.kind).toBe('result');
    await second.return?.(undefined);
    await own.dispose();
  });

  it('caps the sockets of one user (4429 for the one too many)', async () => {
    const email = uniqueEmail('sockets');
    const t = await gw.tokenFor(email);
    const open = [await openSocket(gw, t), await openSocket(gw, t), await openSocket(gw, t)];
    for (const s of open) expect(s.closed).toBeNull();
    const extra = await openSocket(gw, t);
    expect((await extra.waitClosed()).code).toBe(4429);
    await open[0].dispose();
    await new Promise((r) => setTimeout(r, 100));
    const again = await openSocket(gw, t);
    expect(again.closed).toBeNull();
    for (const s of [...open, extra, again]) await s.dispose();
  });

  it('closes a socket when its token expires (4403)', async () => {
    const short = await gw.tokenFor(uniqueEmail('expiry'), { expiresIn: '2s' });
    const s = await openSocket(gw, short);
    expect((await s.run('{ me { id } }')).kind).toBe('result');
    expect((await s.waitClosed(4_000)).code).toBe(4403);
    await s.dispose();
  });
});

describe('introspection', () => {
  let dev: TestGateway;
  let prod: TestGateway;
  beforeAll(async () => {
    dev = await startTestGateway();
    prod = await startTestGateway({ NODE_ENV: 'production' });
  });
  afterAll(async () => {
    await dev?.stop();
    await prod?.stop();
  });

  it('passes the standard introspection query in development under the default limits, on both transports', async () => {
    const result = await dev.anonymous().request(getIntrospectionQuery());
    expect(result.errors).toBeUndefined();
    expect(result.status).toBe(200);
    const s = await openSocket(dev, await dev.tokenFor(uniqueEmail('introspect')));
    const ws = await s.run(getIntrospectionQuery());
    expect(ws.kind === 'result' && ws.result.errors).toBeUndefined();
    await s.dispose();
  });

  it('refuses introspection in production on both transports', async () => {
    const email = uniqueEmail('prod');
    const http = await prod.as(email).request('{ __schema { types { name } } }');
    expect(http.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const s = await openSocket(prod, await prod.tokenFor(email));
    const ws = await s.run('{ __schema { types { name } } }');
    expect(codeOf(ws)).toBe('GRAPHQL_VALIDATION_FAILED');
    await s.dispose();
  });
});
