import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { print } from 'graphql';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConsortiumEventsDocument, CreateOrganizationDocument } from '../generated/graphql';
import { CompilerPool } from '../../src/modules/compilation/compiler/pool';
import { compilationRunner } from '../../src/modules/compilation/compilation.runner';
import { registry } from '../../src/observability/metrics';
import { addSpanProcessor, tracer } from '../../src/observability/tracing';
import { consortiumWithMember } from '../support/factories/event';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';
import { parseMetrics, value } from '../support/metrics';
import { subscribe } from '../support/ws';

const exporter = new InMemorySpanExporter();
let detach: () => void;
let gw: TestGateway;
beforeAll(async () => {
  detach = addSpanProcessor(new SimpleSpanProcessor(exporter));
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.stop();
  detach?.();
});
beforeEach(() => exporter.reset());

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const spansOf = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) =>
  spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

async function createOrganization(headers: Record<string, string>, name: string): Promise<Response> {
  const token = await gw.tokenFor(uniqueEmail('trace'));
  return fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query: print(CreateOrganizationDocument), variables: { input: { name } } }),
  });
}

describe('traces', () => {
  it('continues an incoming traceparent: the operation’s span is its child, the request id is its trace id, SQL spans hang below', async () => {
    const traceId = hex(16);
    const parentId = hex(8);
    const name = `Traced ${hex(6)}`;
    const response = await createOrganization({ traceparent: `00-${traceId}-${parentId}-01` }, name);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(traceId);

    const spans = spansOf(traceId);
    const operation = spans.find((s) => s.name === 'mutation CreateOrganization');
    expect(operation, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(operation!.parentSpanContext?.spanId).toBe(parentId);
    expect(operation!.attributes).toMatchObject({ 'graphql.operation.type': 'mutation', 'graphql.result.code': 'OK' });
    expect(operation!.attributes['request.id']).toBe(traceId);

    const sql = childrenOf(spans, operation!).filter((s) => s.name === 'sql');
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.some((s) => s.attributes['db.operation.name'] === 'insert' && s.attributes['db.collection.name'] === 'organization')).toBe(true);
    // The read path's statements are parameterized, and the ORM's (whose text holds values) are
    // summarized: no variable value reaches a span.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(name);
  });

  it('starts a new trace without traceparent, and keeps a request id the client chose as an attribute', async () => {
    const response = await createOrganization({}, `Untraced ${hex(6)}`);
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    const [operation] = spansOf(requestId).filter((s) => s.name === 'mutation CreateOrganization');
    expect(operation).toBeDefined();
    expect(operation.parentSpanContext).toBeUndefined();

    exporter.reset();
    const chosen = `client-${hex(4)}`;
    const again = await createOrganization({ 'x-request-id': chosen }, `Chosen ${hex(6)}`);
    expect(again.headers.get('x-request-id')).toBe(chosen);
    const tagged = exporter.getFinishedSpans().find((s) => s.name === 'mutation CreateOrganization');
    expect(tagged?.attributes['request.id']).toBe(chosen);
  });

  it('gives a WebSocket operation its own span, with its SQL below it', async () => {
    const { consortium, member } = await consortiumWithMember(gw);
    exporter.reset();
    const sub = await subscribe(gw, await gw.tokenFor(member.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id });
    await sub.close();
    for (let i = 0; i < 100 && !exporter.getFinishedSpans().some((s) => s.name === 'subscription ConsortiumEvents'); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const operation = exporter.getFinishedSpans().find((s) => s.name === 'subscription ConsortiumEvents');
    expect(operation).toBeDefined();
    expect(operation!.attributes['graphql.result.code']).toBe('OK');
    const spans = spansOf(operation!.spanContext().traceId);
    expect(childrenOf(spans, operation!).filter((s) => s.name === 'sql').length).toBeGreaterThan(0);
  });

  it('records a compilation as a span of its caller and in the compilation duration histogram', async () => {
    const pool = new CompilerPool({ size: 1 });
    const count = async () => value(parseMetrics(await registry.metrics()), 'gateway_compilation_duration_seconds_count', { outcome: 'ok' });
    try {
      // The histogram is the process's: the test gateway started here re-enqueued every PENDING
      // compilation of the shared test database when it started (other files' work in flight),
      // so wait until it has compiled them before counting this pool's one compilation.
      await compilationRunner(gw.app.services).idle();
      const before = await count();
      const parent = tracer.startSpan('caller');
      const result = await context.with(trace.setSpan(context.active(), parent), () =>
        pool.compile({ source: 'pragma solidity ^0.8.20;\ncontract Traced { uint256 public x; }\n', fileName: 'Traced.sol' }),
      );
      parent.end();
      expect(result.ok).toBe(true);
      expect(await count()).toBe(before + 1);
      // This pool's span, not one of the runner's (which compiles other files' sources, with no caller here).
      const compile = exporter.getFinishedSpans().find((s) => s.name === 'solc.compile' && s.attributes['solidity.file'] === 'Traced.sol');
      expect(compile, 'the compilation has a span').toBeDefined();
      expect(compile?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    } finally {
      await pool.close();
    }
  });
});
