import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../src/auth/jwt';
import { ConfigError, loadConfig } from '../../src/config';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../support/gateway';

const APP_ORIGIN = 'http://app.example.test:5173';

let dev: TestGateway;
let prod: TestGateway;
beforeAll(async () => {
  [dev, prod] = await Promise.all([
    startTestGateway({ NODE_ENV: 'development', CORS_ORIGINS: `${APP_ORIGIN},https://partner.example.test` }),
    startTestGateway({ NODE_ENV: 'production' }),
  ]);
});
afterAll(() => Promise.all([dev?.stop(), prod?.stop()]));

const origin = (gw: TestGateway) => new URL(gw.url).origin;

function tokenIn(text: string): string {
  const match = /(?:Bearer |"token":")(ey[\w-]+\.[\w-]+\.[\w-]+)/.exec(text);
  expect(match, 'a development token in the page').not.toBeNull();
  return match![1];
}

describe('Sandbox and introspection in development', () => {
  it('answers the standard introspection query of Sandbox, GraphiQL and codegen under the default limits', async () => {
    expect(dev.config.limits.maxCost).toBe(50_000);
    const result = await dev.anonymous().request(getIntrospectionQuery());
    expect(result.errors).toBeUndefined();
    expect((result.data as { __schema: { types: unknown[] } }).__schema.types.length).toBeGreaterThan(50);
  });

  it('still costs the fields of an operation that also introspects', async () => {
    const small = await startTestGateway({ NODE_ENV: 'development', MAX_QUERY_COST: '10' });
    try {
      expect((await small.anonymous().request(getIntrospectionQuery())).errors).toBeUndefined();
      const result = await small.anonymous().request('{ __typename permissionGrid { __typename consortiumActions { __typename action } } }');
      expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    } finally {
      await small.stop();
    }
  });

  it('serves Sandbox with the endpoint, the subscription endpoint and a development token as initial headers', async () => {
    const res = await fetch(dev.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('embeddable-sandbox');
    expect(html).toContain('options.initialEndpoint = endpoint');
    expect(html).toContain("options.initialSubscriptionEndpoint = endpoint.replace(/^http/, 'ws')");
    const options = JSON.parse(/<script id="sandbox-options" type="application\/json">(.*?)<\/script>/s.exec(html)![1]) as {
      initialState: { headers: Record<string, string>; sharedHeaders: Record<string, string> };
    };
    expect(options.initialState.sharedHeaders.Authorization).toBe(options.initialState.headers.Authorization);
    const identity = await new TokenVerifier({ secret: TEST_JWT_SECRET, jwksUrl: null, issuer: null, audience: null, maxTtlSeconds: 86400 }).verify(
      tokenIn(options.initialState.headers.Authorization),
    );
    expect(identity.email).toBe('developer@example.com');
    // the token works against the gateway that served it
    const me = await fetch(dev.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: options.initialState.headers.Authorization },
      body: JSON.stringify({ query: '{ me { email } }' }),
    });
    expect(((await me.json()) as { data: { me: { email: string } } }).data.me.email).toBe('developer@example.com');
  });
});

describe('the offline explorer', () => {
  it('is a page of the gateway whose scripts, styles and workers are all served by the gateway', async () => {
    const res = await fetch(`${origin(dev)}/explorer`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await res.text();
    tokenIn(html);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.sort()).toEqual(['/explorer/assets/main.css', '/explorer/assets/main.js']);
    for (const asset of [...assets, '/explorer/assets/editor.worker.js', '/explorer/assets/graphql.worker.js', '/explorer/assets/json.worker.js']) {
      const file = await fetch(`${origin(dev)}${asset}`);
      expect(file.status, asset).toBe(200);
      const text = await file.text();
      expect(text, asset).not.toMatch(/https:\/\/(esm\.sh|unpkg\.com|cdn\.jsdelivr\.net|embeddable-sandbox)/);
    }
  });

  it('is off in production unless EXPLORER is set, and never carries a token there', async () => {
    expect((await fetch(`${origin(prod)}/explorer`)).status).toBe(404);
    const enabled = await startTestGateway({ NODE_ENV: 'production', EXPLORER: 'true' });
    try {
      const res = await fetch(`${origin(enabled)}/explorer`);
      expect(res.status).toBe(200);
      expect(await res.text()).not.toMatch(/Bearer/);
    } finally {
      await enabled.stop();
    }
  });
});

describe('CORS for browser apps on other origins', () => {
  const preflight = (gw: TestGateway, from: string) =>
    fetch(gw.url, {
      method: 'OPTIONS',
      headers: { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });

  it('answers the preflight of an allowed origin', async () => {
    const res = await preflight(dev, APP_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it('refuses the preflight of any other origin with a code', async () => {
    const res = await preflight(dev, 'http://evil.example.test');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await preflight(prod, APP_ORIGIN)).status).toBe(403);
  });

  it('sends the allow header on the actual request of an allowed origin only', async () => {
    const post = (from: string) =>
      fetch(dev.url, { method: 'POST', headers: { origin: from, 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect((await post(APP_ORIGIN)).headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect((await post('http://evil.example.test')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps CSRF prevention: a simple cross-site GET without a preflight header is refused', async () => {
    const res = await fetch(`${dev.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { origin: 'http://evil.example.test' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF|preflight/i);
  });

  it('refuses a CORS_ORIGINS entry that is not an origin', () => {
    const base = { NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, CA_KEY_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig({ ...base, CORS_ORIGINS: 'app.example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ ...base, CORS_ORIGINS: 'https://a.example.com, http://localhost:3000/' }).corsOrigins).toEqual([
      'https://a.example.com',
      'http://localhost:3000',
    ]);
  });
});
