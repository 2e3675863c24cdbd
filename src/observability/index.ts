import type { ApolloServerPlugin } from '@apollo/server';
import { SpanKind, type Span } from '@opentelemetry/api';
import type { Express, RequestHandler } from 'express';
import { createServer, type Server } from 'node:http';
import type { WebSocketServer } from 'ws';
import type { AppServices, GatewayContext } from '../graphql/context';
import { COMPILER_POOL } from '../modules/compilation/compilation.runner';
import { EVENT_FEED } from '../modules/event/event.feed';
import { registry, watch } from './metrics';
import { httpObserver, httpReenter, observeWebSocket, operationPlugin } from './operations';
import { failSpan, flushTraces, initTracing, tracer, tracingActive } from './tracing';

export { newRequestId } from './tracing';
export { countRefusal, noteCost } from './operations';

/** The registry key of the compiler pool (see compilation.runner.ts). */

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

interface KnexQuery {
  __knexQueryUid?: string;
  sql?: string;
}

export interface Observability {
  /** Mounts the HTTP observer (first) and /metrics on the main port unless METRICS_PORT is set. */
  mount(app: Express): void;
  /** To place right after the body parser of /graphql. */
  reenter: RequestHandler;
  /** Per-operation metrics, access log and spans of Apollo's HTTP operations. */
  plugin: ApolloServerPlugin<GatewayContext>;
  /** Wraps graphql-ws server options with the same per-operation observation. */
  ws<O>(wsServer: WebSocketServer, options: O): O;
}

const VERB = /^\s*(select|insert|update|delete|with|begin|commit|rollback|savepoint|release|set|show)\b/i;
const TABLE = /\b(?:from|into|update)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/i;

/**
 * The ORM inlines values into its statements' text, so its spans carry only the statement's verb
 * and first table, never the text (which may hold personal data).
 */
export function summarizeSql(sql: string): Record<string, string> {
  const attributes: Record<string, string> = { 'db.system.name': 'postgresql' };
  const verb = VERB.exec(sql)?.[1]?.toLowerCase();
  if (verb) attributes['db.operation.name'] = verb;
  const table = TABLE.exec(sql)?.[1];
  if (table) attributes['db.collection.name'] = table;
  return attributes;
}

const handleScrape: RequestHandler = async (_req, res) => {
  try {
    res.set('content-type', registry.contentType).send(await registry.metrics());
  } catch {
    res.status(500).send('# metrics could not be collected\n');
  }
};

/**
 * Metrics, access log and traces of one gateway: gauges read from its pools and feed at scrape
 * time, SQL spans of the ORM's statements, and the hooks the server installs.
 */
export function createObservability(app: AppServices): Observability {
  const { config } = app;
  initTracing({ otlpEndpoint: config.observability.otlpEndpoint, serviceName: config.observability.serviceName });
  const access = app.log.child({ component: 'access' });

  const knex = app.orm.em.getKnex();
  const pool = () => (knex.client as { pool?: TarnPool }).pool;
  const unwatch = watch({
    pools: () => {
      const orm = pool();
      return [
        { pool: 'orm', used: orm?.numUsed() ?? 0, idle: orm?.numFree() ?? 0, waiting: orm?.numPendingAcquires() ?? 0 },
        { pool: 'reader', ...app.reader.poolStats },
      ];
    },
    compilerQueue: () => app.registry.get(COMPILER_POOL)?.stats().queued ?? 0,
    compilerBusy: () => app.registry.get(COMPILER_POOL)?.busy ?? 0,
    subscriptions: () => app.registry.get(EVENT_FEED)?.subscriberCount ?? 0,
  });

  // The ORM's statements as spans: knex reports each one's start and end with a shared uid, in
  // the caller's async context, so a span's parent is the operation that sent it.
  const open = new Map<string, Span>();
  const onQuery = (q: KnexQuery) => {
    if (!tracingActive() || !q.__knexQueryUid) return;
    open.set(q.__knexQueryUid, tracer.startSpan('sql', { kind: SpanKind.CLIENT, attributes: summarizeSql(q.sql ?? '') }));
  };
  const onEnd = (error: unknown) => (_res: unknown, q: KnexQuery) => {
    const span = q?.__knexQueryUid ? open.get(q.__knexQueryUid) : undefined;
    if (!span) return;
    open.delete(q.__knexQueryUid!);
    if (error) failSpan(span, _res);
    span.end();
  };
  const onResponse = onEnd(false);
  const onError = onEnd(true);
  knex.on('query', onQuery);
  knex.on('query-response', onResponse);
  knex.on('query-error', onError);

  let metricsServer: Server | null = null;

  return {
    mount(express) {
      express.use(httpObserver(access));
      if (config.observability.metricsPort === null) express.get('/metrics', handleScrape);
    },
    reenter: httpReenter,
    plugin: {
      ...operationPlugin(access),
      async serverWillStart() {
        if (config.observability.metricsPort !== null) {
          const server = createServer((req, res) => {
            if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
              registry.metrics().then(
                (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
                () => res.writeHead(500).end('# metrics could not be collected\n'),
              );
            } else {
              res.writeHead(404).end();
            }
          });
          await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(config.observability.metricsPort!, config.host, () => resolve());
          });
          metricsServer = server;
          app.log.info({ port: config.observability.metricsPort }, 'metrics served on their own port');
        }
        return {
          async serverWillStop() {
            unwatch();
            knex.removeListener('query', onQuery);
            knex.removeListener('query-response', onResponse);
            knex.removeListener('query-error', onError);
            for (const span of open.values()) span.end();
            open.clear();
            await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
            metricsServer = null;
            await flushTraces().catch((err) => app.log.warn({ err }, 'traces could not be flushed'));
          },
        };
      },
    },
    ws: (wsServer, options) => observeWebSocket(access, wsServer, options as never) as typeof options,
  };
}
