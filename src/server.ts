import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Identity } from './auth/jwt';
import type { AppServices, GatewayContext } from './graphql/context';
import { operationResolutionPlugin } from './graphql/error-hygiene';
import { isExpectedError } from './graphql/errors';
import { compiledExecution } from './graphql/executor';
import { batchLimit } from './graphql/limits';
import { buildContext as buildPipelineContext, Pipeline } from './graphql/pipeline';
import { ReadPlanner } from './graphql/read-plan';
import { buildGatewaySchema, readMap, ruleTree } from './graphql/schema';
import { Drain } from './http/drain';
import { bodyErrors, httpPipelinePlugin, requestBounds } from './http/graphql-http';
import { idempotencyPlugin, idempotencyScope } from './http/idempotency';
import { serveWebSocket } from './http/websocket';
import { createObservability, newRequestId } from './observability';
import { corsAllowList } from './web/cors';
import { explorerRouter } from './web/explorer';
import { sandboxLandingPage } from './web/sandbox';

export interface Gateway {
  httpServer: Server;
  url: string;
  port: number;
  schema: GraphQLSchema;
  stop(): Promise<void>;
}

/** Builds the context of one operation for a verified identity (or none). */
export function buildContext(app: AppServices, identity: Identity | null, requestId: string, address = ''): Promise<GatewayContext> {
  return buildPipelineContext(app, { identity, address }, requestId);
}

/** The HTTP + WebSocket server on one port and one path, with Sandbox, health and readiness. */
export async function createGateway(app: AppServices, opts: { port?: number; host?: string } = {}): Promise<Gateway> {
  const { config, log } = app;
  const schema = await buildGatewaySchema();

  const expressApp = express();
  expressApp.disable('x-powered-by');
  // An ETag hashes every response body; GraphQL POST answers are never revalidated.
  expressApp.set('etag', false);
  const httpServer = createServer(expressApp);
  const observability = createObservability(app);
  observability.mount(expressApp);

  const pipeline = new Pipeline(app, schema, app.budgets);
  const drain = new Drain(config.retryAfterSeconds);
  // Messages are bounded like HTTP bodies, before graphql-ws parses them. Upgrades are routed by
  // hand (not `server:`), so that the HTTP server's own errors, such as a taken port, reach the
  // listen below alone instead of being re-emitted on the WebSocket server.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: config.limits.maxBodyBytes });
  httpServer.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit('connection', ws, req));
  });
  // The planned read path (PLANNED_READS), on both transports. Over HTTP it is part of the
  // compiled executor (Apollo takes an executor only through it), so it needs GRAPHQL_JIT.
  const planner = config.compiledExecution && config.plannedReads ? new ReadPlanner(schema, app.orm.getMetadata(), readMap(), ruleTree()) : null;
  const wsCleanup = serveWebSocket(wsServer, pipeline, drain, (options) => observability.ws(wsServer, options), planner);

  const logErrors: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!isExpectedError(error)) {
              (contextValue?.log ?? log).error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
            }
          }
        },
      };
    },
  };

  const apollo = new ApolloServer<GatewayContext>({
    ...(config.compiledExecution
      ? { gateway: compiledExecution(schema, { cacheSize: 1000, planner }) }
      : { schema }),
    // Introspection is refused in production by the pipeline's validation rules (both transports).
    introspection: true,
    parseOptions: pipeline.parseOptions(),
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: true,
    // The composition root owns signals: it drains this server, then stops the database.
    stopOnTerminationSignals: false,
    validationRules: pipeline.rules,
    formatError: (formatted, error) => pipeline.format(formatted, error),
    plugins: [
      operationResolutionPlugin(),
      // Each of these would wrap every field resolver (cache hints, traces) for features not used here.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      config.production ? ApolloServerPluginLandingPageDisabled() : sandboxLandingPage(config),
      httpPipelinePlugin(pipeline, drain),
      idempotencyPlugin(pipeline),
      observability.plugin,
      logErrors,
    ],
  });
  await apollo.start();

  expressApp.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  expressApp.get('/readyz', async (_req, res) => {
    try {
      await app.orm.em.fork().execute('select 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
  if (config.explorer) expressApp.use('/explorer', explorerRouter(config));
  expressApp.use(
    '/graphql',
    drain.middleware(),
    corsAllowList(config.corsOrigins),
    express.json({ limit: config.limits.maxBodyBytes }),
    bodyErrors,
    observability.reenter,
    batchLimit(config.limits),
    requestBounds(pipeline),
    idempotencyScope(),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id']) || newRequestId();
        res.setHeader('x-request-id', requestId);
        try {
          const address = req.socket.remoteAddress ?? '';
          const identity = await pipeline.authenticate(req.headers.authorization, address);
          // One operation (not a batch): its text, for whether the principal brings the rights.
          const operation = req.method === 'GET' ? req.query : Array.isArray(req.body) ? undefined : req.body;
          return await pipeline.context({ identity, address }, requestId, operation);
        } catch (error) {
          if (error instanceof GraphQLError && typeof error.extensions.code === 'string') throw error;
          log.error({ err: error, requestId }, 'context creation failed');
          throw new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        }
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port ?? config.port, opts.host ?? config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://localhost:${port}/graphql`;
  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    url,
    port,
    schema,
    stop() {
      stopping ??= (async () => {
        // No new operation starts; every one that started is answered before anything closes.
        if (!(await drain.start(config.drainTimeoutMs))) log.warn('operations still in flight after DRAIN_TIMEOUT_MS: closing anyway');
        // Apollo's drain closes the HTTP server, waits for requests in flight, then the WS server.
        await apollo.stop();
      })();
      return stopping;
    },
  };
}
