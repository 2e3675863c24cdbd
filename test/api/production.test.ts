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

  it('serves no Sandbox to a browser', async () => {
    const res = await fetch(gw.url, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(html).not.toMatch(/sandbox/i);
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
