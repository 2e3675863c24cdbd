import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ NODE_ENV: 'production' });
});
afterAll(() => gw?.stop());

describe('NODE_ENV=production', () => {
  it('refuses introspection', async () => {
    const result = await gw.anonymous().request('{ __schema { queryType { name } } }');
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.data).toBeUndefined();
  });

  it('serves no Sandbox to a browser: no page at all, where development serves one', async () => {
    const asBrowser = (url: string) => fetch(url, { headers: { accept: 'text/html' } });
    const production = await asBrowser(gw.url);
    const body = await production.text();
    // The exact answer: Apollo's refusal of a bare browser GET (no landing page to serve), as JSON
    // with a coded error, never an HTML page.
    expect(production.status).toBe(400);
    expect(production.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const answer = JSON.parse(body) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(answer.data).toBeUndefined();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(body).not.toMatch(/<html|<script|sandbox|explorer/i);
    // The same request to a development gateway does get the Sandbox page, so this one can tell.
    const development = await startTestGateway();
    try {
      const page = await asBrowser(development.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type') ?? '').toMatch(/^text\/html/);
      expect(await page.text()).toMatch(/sandbox/i);
    } finally {
      await development.stop();
    }
  });

  it('sends coded errors without stack traces', async () => {
    const result = await gw.anonymous().withRawAuthorization('Bearer broken').request('{ me { id } }');
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(result.errors)).not.toMatch(/stacktrace|\.ts:|\.js:/);
  });

  it('answers a query with a syntax error with a code and no internals', async () => {
    const result = await gw.anonymous().request('{ me { ');
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(JSON.stringify(result.errors)).not.toMatch(/stacktrace/);
  });
});
