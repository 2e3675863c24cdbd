import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { OTLPTraceExporter as Exporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  SamplingDecision,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { randomUUID } from 'node:crypto';

/**
 * OpenTelemetry for the gateway: one tracer provider per process, registered with the W3C trace
 * context propagator (incoming `traceparent` headers) and an AsyncLocalStorage context manager.
 *
 * Spans are recorded only while an exporter is attached: the OTLP exporter when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, or an in-memory one in tests. Otherwise every span is a
 * non-recording one that still carries a fresh trace id, which is the request id of operations
 * (so logs and traces agree), and SQL statements skip tracing altogether.
 */
const processors: SpanProcessor[] = [];

/** Forwards to the processors attached so far (the SDK takes its processors at construction). */
const forwarding: SpanProcessor = {
  onStart(span, parent) {
    for (const p of processors) p.onStart(span, parent);
  },
  onEnd(span: ReadableSpan) {
    for (const p of processors) p.onEnd(span);
  },
  async forceFlush() {
    await Promise.all(processors.map((p) => p.forceFlush()));
  },
  async shutdown() {
    await Promise.all(processors.map((p) => p.shutdown()));
  },
};

const parentBased = new ParentBasedSampler({ root: new AlwaysOnSampler() });

/** Records nothing while no exporter is attached; then follows the caller's sampling decision. */
const sampler: Sampler = {
  shouldSample(ctx, traceId, name, kind, attributes, links): SamplingResult {
    if (processors.length === 0) return { decision: SamplingDecision.NOT_RECORD };
    return parentBased.shouldSample(ctx, traceId, name, kind, attributes, links);
  },
  toString: () => 'GatewaySampler',
};

let provider: NodeTracerProvider | null = null;
const otlpEndpoints = new Set<string>();

/** Registers the process's tracer provider once; with an endpoint, attaches an OTLP exporter to it (once per endpoint). */
export function initTracing(opts: { otlpEndpoint: string | null; serviceName: string }): void {
  if (!provider) {
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
      sampler,
      spanProcessors: [forwarding],
    });
    provider.register();
  }
  if (opts.otlpEndpoint && !otlpEndpoints.has(opts.otlpEndpoint)) {
    otlpEndpoints.add(opts.otlpEndpoint);
    // The generic endpoint variable names the collector's base URL; traces go to /v1/traces.
    const url = `${opts.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    // Loaded only when configured: the exporter and its protobuf transformer weigh a tenth of a
    // second of start-up on every gateway process.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as { OTLPTraceExporter: typeof Exporter };
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
}

/** Attaches a span processor (tests attach an in-memory exporter); the returned function detaches it. */
export function addSpanProcessor(processor: SpanProcessor): () => void {
  processors.push(processor);
  return () => {
    const i = processors.indexOf(processor);
    if (i >= 0) processors.splice(i, 1);
  };
}

/** Sends the spans still buffered (at shutdown). */
export async function flushTraces(): Promise<void> {
  await forwarding.forceFlush();
}

/** True while spans are recorded and exported. */
export function tracingActive(): boolean {
  return processors.length > 0;
}

export const tracer = trace.getTracer('governance-gateway');

/** The request id of the operation running now: its trace id, or a random id outside a trace. */
export function newRequestId(): string {
  const span = trace.getActiveSpan();
  const ctx = span?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : randomUUID();
}

/** The trace id of the active span, if any. */
export function activeTraceId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : undefined;
}

/** Marks a span as failed with an error's message (no stack, no values). */
export function failSpan(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Runs `fn` inside a client span (a SQL statement, a compilation) when tracing is active; with
 * tracing off it is a plain call, so hot paths pay nothing.
 */
export function traced<T>(name: string, attributes: Attributes, fn: () => Promise<T>, kind = SpanKind.CLIENT): Promise<T> {
  if (processors.length === 0) return fn();
  return inSpan(tracer.startSpan(name, { kind, attributes }), fn);
}

/** Runs `fn` with `span` active, records a failure on it, and ends it. */
export async function inSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export type { Context, Span };
