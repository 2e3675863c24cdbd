import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsortiumEventsDocument, UpdateConsortiumDocument } from '../generated/graphql';
import { MAX_OPERATION_NAMES, OTHER_OPERATION, operationLabel } from '../../src/observability/metrics';
import { GraphQLClient } from '../support/client';
import { createTestConsortium } from '../support/factories/consortium';
import { consortiumWithMember, touchConsortium } from '../support/factories/event';
import { addUser, createOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { delta, scrape, value, type Sample } from '../support/metrics';
import { subscribe } from '../support/ws';
import { freePort } from '../support/process';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const OPS = 'gateway_graphql_operations_total';

/** Scrapes until `check` holds (a closing socket is released asynchronously); returns the last scrape. */
async function scrapeUntil(check: (s: Sample[]) => boolean, attempts = 100): Promise<Sample[]> {
  let samples = await scrape(gw);
  for (let i = 0; i < attempts && !check(samples); i++) {
    await new Promise((r) => setTimeout(r, 20));
    samples = await scrape(gw);
  }
  return samples;
}

describe('/metrics after a scripted session', () => {
  it('counts one FORBIDDEN refusal exactly once, under the operation’s name, with its duration and HTTP status', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const member = await addUser(gw, org, 'MEMBER');
    const labels = { operation: 'UpdateConsortium', type: 'mutation', transport: 'http' };

    const before = await scrape(gw);
    await member.client.fails('FORBIDDEN', UpdateConsortiumDocument, { id: c.id, input: { description: 'not mine to change' } });
    const after = await scrape(gw);

    expect(delta(before, after, OPS, { ...labels, code: 'FORBIDDEN' })).toBe(1);
    expect(delta(before, after, OPS, { ...labels, code: 'OK' })).toBe(0);
    expect(delta(before, after, OPS)).toBe(1);
    expect(delta(before, after, 'gateway_graphql_operation_duration_seconds_count', labels)).toBe(1);
    expect(delta(before, after, 'gateway_http_requests_total', { route: '/graphql', method: 'POST', status: '200' })).toBe(1);
    expect(delta(before, after, 'gateway_refusals_total')).toBe(0);

    await org.owner.client.ok(UpdateConsortiumDocument, { id: c.id, input: { description: 'mine' } });
    const later = await scrape(gw);
    expect(delta(after, later, OPS, { ...labels, code: 'OK' })).toBe(1);
    expect(delta(after, later, 'gateway_events_recorded_total', { kind: 'CONSORTIUM_UPDATED' })).toBe(1);
  });

  it('counts a request refused for its token as one authentication refusal and one UNAUTHENTICATED operation', async () => {
    const before = await scrape(gw);
    const result = await new GraphQLClient(gw.url, async () => 'not.a.token').request('query Me { me { id } }');
    expect(result.status).toBe(401);
    const after = await scrape(gw);
    expect(delta(before, after, 'gateway_refusals_total', { reason: 'authentication', transport: 'http' })).toBe(1);
    // The operation never resolved: its name is not trusted as a label.
    expect(delta(before, after, OPS, { operation: OTHER_OPERATION, type: 'unknown', code: 'UNAUTHENTICATED' })).toBe(1);
    expect(delta(before, after, OPS)).toBe(1);
    expect(delta(before, after, 'gateway_http_requests_total', { route: '/graphql', status: '401' })).toBe(1);
  });

  it('gives anonymous and invalid operations one shared label, and never a client’s made-up name', async () => {
    const client = gw.anonymous();
    const before = await scrape(gw);
    await client.request('{ __typename }');
    await client.request('query Made_Up_Name_That_Does_Not_Validate { noSuchField }');
    const after = await scrape(gw);
    expect(delta(before, after, OPS, { operation: OTHER_OPERATION, type: 'query', code: 'OK' })).toBe(1);
    expect(delta(before, after, OPS, { operation: OTHER_OPERATION, type: 'unknown', code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(after.some((s) => s.labels.operation === 'Made_Up_Name_That_Does_Not_Validate')).toBe(false);
  });

  it('tracks a subscription from open to close: gauges up, one live delivery, gauges back to zero', async () => {
    const { admin, consortium, member } = await consortiumWithMember(gw);
    const before = await scrape(gw);
    expect(value(before, 'gateway_subscriptions_active')).toBe(0);
    expect(value(before, 'gateway_websocket_connections')).toBe(0);

    const sub = await subscribe(gw, await gw.tokenFor(member.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id });
    const open = await scrape(gw);
    expect(value(open, 'gateway_subscriptions_active')).toBe(1);
    expect(value(open, 'gateway_websocket_connections')).toBe(1);

    await touchConsortium(admin.owner.client, consortium.id);
    expect((await sub.next()).data!.consortiumEvents.kind).toBe('CONSORTIUM_UPDATED');
    const delivered = await scrape(gw);
    expect(delta(open, delivered, 'gateway_events_recorded_total', { kind: 'CONSORTIUM_UPDATED' })).toBe(1);
    expect(delta(open, delivered, 'gateway_events_delivered_total', { mode: 'live' })).toBe(1);
    expect(delta(open, delivered, 'gateway_event_delivery_delay_seconds_count')).toBe(1);

    await sub.close();
    const closed = await scrapeUntil((s) => value(s, 'gateway_websocket_connections') === 0 && delta(before, s, OPS, { transport: 'ws' }) === 1);
    expect(value(closed, 'gateway_subscriptions_active')).toBe(0);
    expect(value(closed, 'gateway_websocket_connections')).toBe(0);
    expect(delta(before, closed, OPS, { operation: 'ConsortiumEvents', type: 'subscription', transport: 'ws', code: 'OK' })).toBe(1);
  });

  it('counts a WebSocket connection refused for its token', async () => {
    const { consortium } = await consortiumWithMember(gw);
    const before = await scrape(gw);
    const sub = await subscribe(gw, null, ConsortiumEventsDocument, { consortiumId: consortium.id }, { authorization: 'Bearer nope' });
    const end = await sub.end();
    expect(end.kind).toBe('error');
    await sub.close();
    const after = await scrapeUntil((s) => value(s, 'gateway_websocket_connections') === 0);
    expect(delta(before, after, 'gateway_refusals_total', { reason: 'authentication', transport: 'ws' })).toBe(1);
    expect(delta(before, after, OPS)).toBe(0);
  });

  it('exports the pools, the compiler queue and the Node.js process', async () => {
    const samples = await scrape(gw);
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'gateway_db_pool_waiting',
      'gateway_compiler_queue_length',
      'gateway_compiler_busy_workers',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(names, name).toContain(name);
    }
    for (const pool of ['orm', 'reader']) {
      expect(samples.some((s) => s.name === 'gateway_db_pool_connections' && s.labels.pool === pool && s.labels.state === 'idle')).toBe(true);
    }
    // The reader's pool holds at least the connection the last request used, now idle.
    expect(value(samples, 'gateway_db_pool_connections', { pool: 'reader' })).toBeGreaterThan(0);
  });
});

describe('operation names as labels', () => {
  it('keeps at most MAX_OPERATION_NAMES distinct names; the rest share one value', () => {
    const labels = new Set<string>();
    for (let i = 0; i < MAX_OPERATION_NAMES * 2; i++) labels.add(operationLabel(`Op${i}`));
    expect(labels.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 1);
    expect(labels).toContain(OTHER_OPERATION);
    // A name kept once stays itself.
    const kept = [...labels].find((l) => l !== OTHER_OPERATION)!;
    expect(operationLabel(kept)).toBe(kept);
    expect(operationLabel(null)).toBe(OTHER_OPERATION);
    expect(operationLabel('not a name; drop table')).toBe(OTHER_OPERATION);
  });
});

describe('METRICS_PORT', () => {
  it('serves /metrics on its own port, and not on the main one', async () => {
    const port = await freePort();
    const other = await startTestGateway({ METRICS_PORT: String(port) });
    try {
      const main = await fetch(`http://127.0.0.1:${other.app.gateway.port}/metrics`);
      expect(main.status).toBe(404);
      const samples = await scrape(other, `http://127.0.0.1:${port}/metrics`);
      expect(samples.some((s) => s.name === OPS || s.name === 'process_cpu_user_seconds_total')).toBe(true);
    } finally {
      await other.stop();
    }
    // Stopping the gateway closes its metrics port.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});

