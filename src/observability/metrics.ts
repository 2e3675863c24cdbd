import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics. One registry per process: a scrape describes the process
 * (its event loop, its pools, its sockets), however many gateways a test starts in it. Gauges of
 * pools and subscriptions are read from their owners at scrape time (see `watch`), so nothing on
 * a hot path keeps them up to date.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** The label of every operation whose name is missing, malformed or beyond the cap. */
export const OTHER_OPERATION = '__other';
/** Distinct operation names kept as labels; later new names share OTHER_OPERATION. */
export const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);
const knownNames = new Set<string>();

/**
 * A bounded label for an operation name: only names of operations that were parsed and
 * validated are passed here, they must look like GraphQL names, and the first
 * MAX_OPERATION_NAMES distinct ones are kept. Anonymous and unknown operations share one value,
 * so a client cannot grow the label set.
 */
export function operationLabel(name: string | null | undefined): string {
  if (!name || !OPERATION_NAME.test(name)) return OTHER_OPERATION;
  if (knownNames.has(name)) return name;
  if (knownNames.size >= MAX_OPERATION_NAMES) return OTHER_OPERATION;
  knownNames.add(name);
  return name;
}

/** 'query' | 'mutation' | 'subscription', or 'unknown' for an operation that never resolved. */
export function operationTypeLabel(type: string | null | undefined): string {
  return type && OPERATION_TYPES.has(type) ? type : 'unknown';
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const operations = new Counter({
  name: 'gateway_graphql_operations_total',
  help: 'GraphQL operations by operation name, type, transport and result code (OK or the first error code)',
  labelNames: ['operation', 'type', 'transport', 'code'] as const,
  registers: [registry],
});

export const operationDuration = new Histogram({
  name: 'gateway_graphql_operation_duration_seconds',
  help: 'Time from receiving a GraphQL operation to sending its result (subscriptions: their lifetime is not included)',
  labelNames: ['operation', 'type', 'transport'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const plannedReads = new Counter({
  name: 'gateway_planned_reads_total',
  help: 'Queries of a planned shape (graphql/read-plan.ts): answered by the plan, or declined to the resolvers (a refusal, bad input, a missing row)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const httpRequests = new Counter({
  name: 'gateway_http_requests_total',
  help: 'HTTP requests by method, route and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'gateway_http_request_duration_seconds',
  help: 'HTTP request duration by method and route',
  labelNames: ['method', 'route'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const wsConnections = new Gauge({
  name: 'gateway_websocket_connections',
  help: 'Open WebSocket connections',
  registers: [registry],
});

export const refusals = new Counter({
  name: 'gateway_refusals_total',
  help: 'Requests, operations and connections refused for authentication (reason="authentication") or a rate budget (reason="rate_limit")',
  labelNames: ['reason', 'transport'] as const,
  registers: [registry],
});

export const eventsRecorded = new Counter({
  name: 'gateway_events_recorded_total',
  help: 'Events appended to the event log by this instance, by kind (counted when the insert succeeds in its transaction)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const eventsDelivered = new Counter({
  name: 'gateway_events_delivered_total',
  help: 'Events delivered to subscribers of this instance (mode="live" or "replay")',
  labelNames: ['mode'] as const,
  registers: [registry],
});

export const eventDeliveryDelay = new Histogram({
  name: 'gateway_event_delivery_delay_seconds',
  help: 'Delay from an event being written (its created_at, just before commit) to its delivery to a live subscriber',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const compilationDuration = new Histogram({
  name: 'gateway_compilation_duration_seconds',
  help: 'Time a compiler worker spent on one compilation, by outcome (ok, failed, timeout, crashed)',
  labelNames: ['outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60],
  registers: [registry],
});

/** What the scrape-time gauges read; each running gateway adds its own and removes it on stop. */
export interface GaugeSource {
  /** Connections of one database pool: in use, idle, and callers waiting for one. */
  pools(): { pool: string; used: number; idle: number; waiting: number }[];
  compilerQueue(): number;
  compilerBusy(): number;
  subscriptions(): number;
}

const sources = new Set<GaugeSource>();

/** Adds a gateway's gauge source; the returned function removes it. */
export function watch(source: GaugeSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

function sum(read: (s: GaugeSource) => number): number {
  let n = 0;
  for (const s of sources) n += read(s);
  return n;
}

new Gauge({
  name: 'gateway_db_pool_connections',
  help: 'Database pool connections by pool (orm, reader) and state (used, idle)',
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const s of sources) {
      for (const p of s.pools()) {
        this.inc({ pool: p.pool, state: 'used' }, p.used);
        this.inc({ pool: p.pool, state: 'idle' }, p.idle);
      }
    }
  },
});

new Gauge({
  name: 'gateway_db_pool_waiting',
  help: 'Callers waiting for a database connection, by pool',
  labelNames: ['pool'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const s of sources) for (const p of s.pools()) this.inc({ pool: p.pool }, p.waiting);
  },
});

new Gauge({
  name: 'gateway_compiler_queue_length',
  help: 'Compilations waiting for a compiler worker',
  registers: [registry],
  collect() {
    this.set(sum((s) => s.compilerQueue()));
  },
});

new Gauge({
  name: 'gateway_compiler_busy_workers',
  help: 'Compiler workers compiling now',
  registers: [registry],
  collect() {
    this.set(sum((s) => s.compilerBusy()));
  },
});

new Gauge({
  name: 'gateway_subscriptions_active',
  help: 'Event subscriptions open on this instance',
  registers: [registry],
  collect() {
    this.set(sum((s) => s.subscriptions()));
  },
});
