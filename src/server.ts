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
import { useServer } from 'graphql-ws/use/ws';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Authz } from './auth/authz';
import { bearerToken, type Identity } from './auth/jwt';
import { loadPrincipal } from './auth/principal';
import { AppError } from './errors';
import type { AppServices, GatewayContext } from './graphql/context';
import { formatError, isExpectedError } from './graphql/errors';
import { compiledExecution } from './graphql/executor';
import { batchLimit, costLimitPlugin, queryLimitRules } from './graphql/limits';
import { Loaders } from './graphql/loaders';
import { buildGatewaySchema } from './graphql/schema';
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

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof AppError) {
    const status = error.code === 'UNAUTHENTICATED' ? 401 : 400;
    return new GraphQLError(error.message, { extensions: { code: error.code, http: { status } } });
  }
  return error as GraphQLError;
}

/** Builds the context of one HTTP request or one WS operation: identity, principal, em fork, loaders. */
export async function buildContext(app: AppServices, identity: Identity | null, requestId: string): Promise<GatewayContext> {
  const em = app.orm.em.fork();
  const principal = identity ? await loadPrincipal(em, app.reader, identity) : null;
  const user = principal?.user ?? null;
  const authz = new Authz(app.reader, user, app.config.benchDisableAuthz, principal?.rights);
  return {
    requestId,
    em,
    authz,
    loaders: new Loaders(em, app.reader),
    log: app.log.child({ requestId }),
    app,
    tokenExpiresAt: identity?.expiresAt ?? null,
  };
}

/** The HTTP + WebSocket server on one port and one path, with Sandbox, health and readiness. */
export async function createGateway(app: AppServices, opts: { port?: number; host?: string } = {}): Promise<Gateway> {
  const { config, log } = app;
  const schema = await buildGatewaySchema({ authorization: !config.benchDisableAuthz });
  if (config.benchDisableAuthz) log.warn('BENCH_DISABLE_AUTHZ is on: authorization is switched off (benchmark only)');

  const expressApp = express();
  expressApp.disable('x-powered-by');
  // An ETag hashes every response body; GraphQL POST answers are never revalidated.
  expressApp.set('etag', false);
  const httpServer = createServer(expressApp);

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>, { identity?: Identity }>(
    {
      schema,
      // A bad or missing token closes the socket with 4403 before any operation runs.
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = params.Authorization ?? params.authorization;
        try {
          const token = bearerToken(header);
          if (!token) return false;
          ctx.extra.identity = await app.verifier.verify(token);
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) => buildContext(app, ctx.extra.identity ?? null, randomUUID()),
    },
    wsServer,
  );

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
    ...(config.compiledExecution ? { gateway: compiledExecution(schema, { cacheSize: 1000 }) } : { schema }),
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: true,
    // The composition root owns signals: it drains this server, then stops the database.
    stopOnTerminationSignals: false,
    validationRules: queryLimitRules(config.limits),
    formatError: (formatted, error) => formatError(formatted, error, config.production),
    plugins: [
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
      costLimitPlugin(config.limits),
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
    corsAllowList(config.corsOrigins),
    express.json({ limit: '2mb' }),
    batchLimit(config.limits),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id']) || randomUUID();
        res.setHeader('x-request-id', requestId);
        try {
          const token = bearerToken(req.headers.authorization);
          const identity = token ? await app.verifier.verify(token) : null;
          return await buildContext(app, identity, requestId);
        } catch (error) {
          if (error instanceof AppError) throw asGraphQLError(error);
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
      // Apollo's drain closes the HTTP server, waits for requests in flight, then the WS server.
      stopping ??= apollo.stop();
      return stopping;
    },
  };
}
