import type { ApolloServerPlugin } from '@apollo/server';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { execute, getOperationAST, subscribe, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { WebSocketServer } from 'ws';
import type { GatewayContext } from '../graphql/context';
import type { Logger } from '../logger';
import {
  httpDuration,
  httpRequests,
  operationDuration,
  operationLabel,
  operations,
  operationTypeLabel,
  refusals,
  wsConnections,
} from './metrics';
import { tracer, tracingActive } from './tracing';

type Transport = 'http' | 'ws';

/** Codes that mean a rate budget refused the caller (counted as reason="rate_limit"). */
const RATE_LIMIT_CODES = new Set(['RATE_LIMITED', 'TOO_MANY_REQUESTS']);

/** Counts a refusal that never became an operation (a WS connection refused for its token, say). */
export function countRefusal(reason: 'authentication' | 'rate_limit', transport: Transport): void {
  refusals.inc({ reason, transport });
}

/** Operation names in logs: GraphQL names only, so a client cannot write arbitrary text there. */
const LOGGABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/** One operation from its start to its result, over either transport. */
interface OperationRecord {
  transport: Transport;
  started: number;
  /** Set once the operation was parsed, validated and resolved: only then is its name a label. */
  resolved: boolean;
  name: string | null;
  type: string | null;
  code: string;
  requestId: string | null;
  traceId: string | null;
  userId: string | null;
  organizationId: string | null;
  cost: number | null;
}

function newRecord(transport: Transport): OperationRecord {
  return {
    transport, started: performance.now(), resolved: false, name: null, type: null, code: 'OK',
    requestId: null, traceId: null, userId: null, organizationId: null, cost: null,
  };
}

const costs = new WeakMap<object, number>();

/** The estimated cost of the operation whose context this is (set by the cost limit). */
export function noteCost(contextValue: object, cost: number): void {
  costs.set(contextValue, cost);
}

function fromContext(record: OperationRecord, value: GatewayContext | undefined): void {
  if (!value) return;
  record.requestId = value.requestId ?? record.requestId;
  record.userId = value.authz?.user?.id ?? null;
  record.organizationId = value.authz?.organizationId ?? null;
  record.cost = costs.get(value) ?? value.budget?.spent ?? record.cost;
}

function codeOf(errors: readonly { extensions?: { code?: unknown } }[] | undefined, fallback = 'INTERNAL_SERVER_ERROR'): string | null {
  if (!errors || errors.length === 0) return null;
  const code = errors[0].extensions?.code;
  return typeof code === 'string' ? code : fallback;
}

/** Counts the operation, observes its duration and writes its access log line. */
function finish(log: Logger, record: OperationRecord, durationSeconds?: number): void {
  const seconds = (performance.now() - record.started) / 1000;
  const operation = operationLabel(record.resolved ? record.name : null);
  const type = operationTypeLabel(record.type);
  operations.inc({ operation, type, transport: record.transport, code: record.code });
  operationDuration.observe({ operation, type, transport: record.transport }, durationSeconds ?? seconds);
  if (record.code === 'UNAUTHENTICATED') countRefusal('authentication', record.transport);
  if (RATE_LIMIT_CODES.has(record.code)) countRefusal('rate_limit', record.transport);
  log.info(
    {
      event: 'operation',
      transport: record.transport,
      requestId: record.requestId,
      traceId: record.traceId,
      userId: record.userId,
      organizationId: record.organizationId,
      operationName: record.name && LOGGABLE_NAME.test(record.name) ? record.name : null,
      operationType: type,
      durationMs: Math.round(seconds * 10_000) / 10,
      code: record.code,
      cost: record.cost,
    },
    'operation',
  );
}

function endSpan(span: Span | undefined, code: string): void {
  if (!span) return;
  span.setAttribute('graphql.result.code', code);
  if (code !== 'OK') span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  span.end();
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** What the HTTP layer knows of one request while Apollo handles it. */
interface HttpRecord {
  span: Span;
  /** The request's trace context, re-entered after the body parser (which loses it). */
  context: ReturnType<typeof otelContext.active>;
  operations: number;
  batch: boolean;
  failureCode: string | null;
}

const httpStore = new AsyncLocalStorage<HttpRecord>();
const HTTP_RECORD = Symbol('observability');

const ROUTES = new Set(['/graphql', '/metrics', '/healthz', '/readyz']);

function statusCode(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'INTERNAL_SERVER_ERROR';
  return 'BAD_REQUEST';
}

/**
 * The first middleware: counts every HTTP request by route and status, and for /graphql opens
 * the request's server span (continuing an incoming `traceparent`). A /graphql request refused
 * before any operation ran (a bad token, a malformed body, a rate budget) still gets its
 * operation count and access log line.
 */
export function httpObserver(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const route = ROUTES.has(req.path) ? req.path : 'other';
    if (route !== '/graphql') {
      res.once('finish', () => {
        httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
        httpDuration.observe({ method: req.method, route }, (performance.now() - started) / 1000);
      });
      next();
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      `${req.method} /graphql`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': '/graphql' } },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    const record: HttpRecord = { span, context: ctx, operations: 0, batch: false, failureCode: null };
    (res.locals as Record<symbol, HttpRecord>)[HTTP_RECORD] = record;
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      const status = res.statusCode;
      httpRequests.inc({ method: req.method, route, status: String(status) });
      httpDuration.observe({ method: req.method, route }, (performance.now() - started) / 1000);
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (record.operations === 0 && status >= 400) {
        const op = newRecord('http');
        op.started = started;
        op.code = record.failureCode ?? statusCode(status);
        op.requestId = (res.getHeader('x-request-id') as string | undefined) ?? null;
        op.traceId = span.spanContext().traceId;
        finish(log, op);
        span.setStatus({ code: SpanStatusCode.ERROR, message: op.code });
      }
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    httpStore.run(record, () => otelContext.with(ctx, next));
  };
}

/** Placed after the body parser: re-enters the request's trace and record, which stream callbacks lose. */
export function httpReenter(req: Request, res: Response, next: NextFunction): void {
  const record = (res.locals as Record<symbol, HttpRecord | undefined>)[HTTP_RECORD];
  if (!record) return next();
  record.batch = Array.isArray(req.body);
  httpStore.run(record, () => otelContext.with(record.context, next));
}

/**
 * Apollo plugin: one count, one duration and one access log line per operation over HTTP (each
 * operation of a batch on its own), and its span: the request's own span for a single operation,
 * a child span per operation of a batch.
 */
export function operationPlugin(log: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async contextCreationDidFail({ error }) {
      const http = httpStore.getStore();
      if (http) http.failureCode = codeOf([error as GraphQLError]) ?? null;
    },
    async requestDidStart() {
      const http = httpStore.getStore();
      const record = newRecord('http');
      let span: Span | undefined;
      if (http) {
        http.operations++;
        record.traceId = http.span.spanContext().traceId;
      }
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          record.resolved = true;
          record.name = operationName ?? operation.name?.value ?? null;
          record.type = operation.operation;
          const name = `${operation.operation} ${operationLabel(record.name)}`;
          const attributes = { 'graphql.operation.type': operation.operation, 'graphql.operation.name': operationLabel(record.name) };
          if (http && !http.batch) {
            http.span.updateName(name);
            http.span.setAttributes(attributes);
          } else {
            span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, http?.context ?? otelContext.active());
          }
        },
        async willSendResponse({ response, contextValue }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          record.code = codeOf(errors) ?? 'OK';
          fromContext(record, contextValue);
          if (http) {
            http.span.setAttribute('request.id', record.requestId ?? '');
            if (!http.batch) {
              http.span.setAttribute('graphql.result.code', record.code);
              if (record.code !== 'OK') http.span.setStatus({ code: SpanStatusCode.ERROR, message: record.code });
            }
          }
          endSpan(span, record.code);
          finish(log, record);
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// WebSocket

interface WsOperation {
  record: OperationRecord;
  span?: Span;
  executed: boolean;
  subscription: boolean;
  /** Time to the subscription's start (the histogram's value for a subscription). */
  establishedSeconds?: number;
}

interface WsConnection {
  id: string;
  opened: number;
  operations: Map<string, WsOperation>;
  count: number;
  userId: string | null;
}

type AnyServerOptions = ServerOptions<any, any>;

/**
 * Wraps graphql-ws server options: counts open connections, logs each connect and close (with
 * its close code), and gives every operation its count, duration, span and access log line.
 * The wrapped hooks run after the instrumentation and keep their own behaviour.
 */
export function observeWebSocket<O extends AnyServerOptions>(log: Logger, wsServer: WebSocketServer, options: O): O {
  wsServer.on('connection', (socket) => {
    wsConnections.inc();
    socket.once('close', () => wsConnections.dec());
  });
  const connections = new WeakMap<object, WsConnection>();
  const spans = new WeakMap<object, Span>();
  const connectionOf = (ctx: object): WsConnection => {
    let c = connections.get(ctx);
    if (!c) connections.set(ctx, (c = { id: randomUUID(), opened: performance.now(), operations: new Map(), count: 0, userId: null }));
    return c;
  };
  /** Names the operation, and opens its span, once its document is known. */
  const resolveOperation = (op: WsOperation, args: Pick<ExecutionArgs, 'document' | 'operationName'>): Span | undefined => {
    const ast = getOperationAST(args.document, args.operationName);
    if (!ast) return op.span;
    op.record.resolved = true;
    op.record.name = args.operationName ?? ast.name?.value ?? null;
    op.record.type = ast.operation;
    const name = `${ast.operation} ${operationLabel(op.record.name)}`;
    const attributes = { 'graphql.operation.type': ast.operation, 'graphql.operation.name': operationLabel(op.record.name), 'network.transport': 'websocket' };
    const span = op.span ?? tracer.startSpan(name, { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    span.updateName(name);
    span.setAttributes(attributes);
    op.span = span;
    op.record.traceId = span.spanContext().traceId;
    return span;
  };
  const done = (c: WsConnection, id: string, op: WsOperation) => {
    c.operations.delete(id);
    endSpan(op.span, op.record.code);
    finish(log, op.record, op.subscription ? op.establishedSeconds : undefined);
  };
  // The operation's span is entered for its execution only while spans are recorded: otherwise
  // the span records nothing, and every promise of the execution (for a subscription, of every
  // event it delivers) would carry that context for nothing.
  const inSpanOf = <T>(args: ExecutionArgs, run: () => T): T => {
    if (!tracingActive()) return run();
    const span = args.contextValue ? spans.get(args.contextValue as object) : undefined;
    return span ? otelContext.with(trace.setSpan(ROOT_CONTEXT, span), run) : run();
  };
  const { onConnect, onClose, onSubscribe, onOperation, onNext, onError, onComplete, context } = options;
  const exec = options.execute ?? execute;
  const sub = options.subscribe ?? subscribe;

  return {
    ...options,
    execute: (args: ExecutionArgs) => inSpanOf(args, () => exec(args)),
    subscribe: (args: ExecutionArgs) => inSpanOf(args, () => sub(args)),
    async onConnect(ctx) {
      const accepted = onConnect ? await onConnect(ctx) : true;
      const c = connectionOf(ctx);
      if (accepted === false) countRefusal('authentication', 'ws');
      log.info({ event: 'ws.connect', connectionId: c.id, accepted: accepted !== false }, 'websocket connect');
      return accepted;
    },
    async onClose(ctx, code, reason) {
      const c = connectionOf(ctx);
      for (const [id, op] of c.operations) done(c, id, op);
      log.info(
        { event: 'ws.close', connectionId: c.id, code: code ?? null, userId: c.userId, operations: c.count, durationMs: Math.round(performance.now() - c.opened) },
        'websocket close',
      );
      await onClose?.(ctx, code, reason);
    },
    async onSubscribe(ctx, id, payload) {
      const c = connectionOf(ctx);
      c.count++;
      const record = newRecord('ws');
      record.name = typeof payload.operationName === 'string' ? payload.operationName : null;
      // The span opens before anything of the operation runs, so that a server whose onSubscribe
      // prepares the execution itself (parse, limits, principal) has that work, and the request
      // id it takes from the active trace, inside the operation's trace.
      const span = tracer.startSpan('graphql operation', { kind: SpanKind.SERVER, attributes: { 'network.transport': 'websocket' } }, ROOT_CONTEXT);
      const op: WsOperation = { record, executed: false, subscription: false, span };
      record.traceId = span.spanContext().traceId;
      c.operations.set(id, op);
      const prepared = await otelContext.with(trace.setSpan(ROOT_CONTEXT, span), async () => onSubscribe?.(ctx, id, payload));
      // A server whose onSubscribe prepares the execution itself (its own parse, limits and
      // context) never calls `context`: the operation is resolved here instead.
      if (prepared && !Array.isArray(prepared) && 'document' in prepared) {
        const span = resolveOperation(op, prepared);
        const value = prepared.contextValue;
        if (span && value && typeof value === 'object') spans.set(value, span);
      }
      return prepared;
    },
    async context(ctx, id, payload, args) {
      const op = connectionOf(ctx).operations.get(id);
      const span = op ? resolveOperation(op, args) : undefined;
      const build = () => (typeof context === 'function' ? context(ctx, id, payload, args) : context);
      const value = span ? await otelContext.with(trace.setSpan(ROOT_CONTEXT, span), build) : await build();
      if (span && value && typeof value === 'object') spans.set(value, span);
      return value;
    },
    async onOperation(ctx, id, payload, args, result) {
      const op = connectionOf(ctx).operations.get(id);
      if (op) {
        op.executed = true;
        fromContext(op.record, args.contextValue as GatewayContext);
        connectionOf(ctx).userId ??= op.record.userId;
        op.establishedSeconds = (performance.now() - op.record.started) / 1000;
        if (result && typeof result === 'object' && Symbol.asyncIterator in result) op.subscription = true;
        else op.record.code = codeOf((result as ExecutionResult).errors) ?? op.record.code;
      }
      return onOperation?.(ctx, id, payload, args, result);
    },
    // Runs for every event of every subscriber: synchronous, and nothing allocated for an event without errors.
    onNext(ctx, id, payload, args, result) {
      if (result.errors) {
        const op = connections.get(ctx)?.operations.get(id);
        if (op && op.record.code === 'OK') op.record.code = codeOf(result.errors) ?? 'OK';
      }
      return onNext?.(ctx, id, payload, args, result);
    },
    async onError(ctx, id, payload, errors) {
      const c = connectionOf(ctx);
      const op = c.operations.get(id);
      if (op) {
        op.record.code = codeOf(errors, op.executed ? 'INTERNAL_SERVER_ERROR' : 'GRAPHQL_VALIDATION_FAILED') ?? op.record.code;
        // An error before execution (parse, validation) is the operation's end: no completion follows.
        if (!op.executed) done(c, id, op);
      }
      return onError?.(ctx, id, payload, errors);
    },
    async onComplete(ctx, id, payload) {
      const c = connectionOf(ctx);
      const op = c.operations.get(id);
      if (op) done(c, id, op);
      return onComplete?.(ctx, id, payload);
    },
  } as O;
}
