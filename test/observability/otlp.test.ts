import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushTraces } from '../../src/observability/tracing';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';

/** A stand-in OTLP/HTTP collector: keeps the path and body of every request. */
const received: { path: string; contentType: string | undefined; body: string }[] = [];
let collector: Server;
let gw: TestGateway;

beforeAll(async () => {
  collector = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', () => resolve()));
  const { port } = collector.address() as { port: number };
  gw = await startTestGateway({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`, OTEL_SERVICE_NAME: 'gateway-under-test' });
});
afterAll(async () => {
  await gw?.stop();
  await new Promise((resolve) => collector?.close(resolve));
});

describe('OTLP export', () => {
  it('sends the spans of an operation to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces', async () => {
    const response = await gw.as(uniqueEmail('otlp')).request('query WhoAmI { me { id } }');
    expect(response.errors).toBeUndefined();
    await flushTraces();
    const traces = received.filter((r) => r.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0].contentType).toBe('application/json');
    const body = traces.map((t) => t.body).join('\n');
    expect(body).toContain('query WhoAmI');
    expect(body).toContain('gateway-under-test');
  });
});
