import { execute, getOperationAST, GraphQLError, subscribe, type ExecutionArgs } from 'graphql';
import { compiledSubscription } from '../graphql/executor';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { GatewayContext } from '../graphql/context';
import type { Caller, Pipeline } from '../graphql/pipeline';
import type { ReadPlanner } from '../graphql/read-plan';
import type { Drain } from './drain';
import { socketSeats } from './socket-seats';
import { newRequestId } from '../observability';

type Extra = {
  socket: WebSocket;
  request: IncomingMessage;
  caller?: Caller;
};

/** Close codes of this gateway beyond graphql-ws' own (4400 bad request, 4403 forbidden). */
export const WS_CLOSE = {
  rateLimited: 4429,
  forbidden: CloseCode.Forbidden,
  badRequest: CloseCode.BadRequest,
} as const;

/** Timers accept at most 2^31 - 1 ms; a later expiry is re-armed on the way. */
const MAX_TIMER_MS = 2_147_483_647;

function code(error: unknown): unknown {
  return (error as GraphQLError)?.extensions?.code;
}

/**
 * graphql-ws on the HTTP server, running every operation through the pipeline: the token is
 * verified on `connection_init` (its payload bounded first) and its expiry closes the socket
 * (4403) and is checked again before every operation; sockets per user and operations per
 * socket are capped; an operation refused by a limit, or met by a database outage, gets an error
 * of its own while the socket and its other subscriptions stay open; a spent budget closes the
 * socket with 4429.
 */
/** graphql-ws server options, as `observe` receives and returns them (metrics, access log, spans). */
type WsOptions = Parameters<typeof useServer<Record<string, unknown> | undefined, Extra>>[0];

export function serveWebSocket(
  wsServer: WebSocketServer,
  pipeline: Pipeline,
  drain: Drain,
  observe: (options: WsOptions) => WsOptions = (options) => options,
  /** The planned read path, as over HTTP: a query it reads is answered by its one statement. */
  planner: ReadPlanner | null = null,
) {
  const { limits } = pipeline.app.config;
  // Sockets per user, counted across the gateway processes of this host (src/http/socket-seats.ts).
  const seats = socketSeats();
  const log = pipeline.app.log;

  const close = (socket: WebSocket, closeCode: number, reason: string) => {
    // A close reason is at most 123 bytes.
    if (socket.readyState === socket.OPEN) socket.close(closeCode, reason.slice(0, 120));
  };

  // Each event of a subscription runs the operation's selection compiled once by graphql-jit (as
  // queries do over HTTP), unless GRAPHQL_JIT=false.
  const runSubscription = pipeline.app.config.compiledExecution
    ? compiledSubscription(pipeline.schema, { cacheSize: 1000 })
    : (args: ExecutionArgs) => subscribe(args);

  // A document's plan is kept by its text and operation name (as compiled subscriptions are).
  const planned = (args: ExecutionArgs) => {
    const text = args.document.loc?.source.body;
    if (!planner || text === undefined) return null;
    const operationName = args.operationName ?? undefined;
    return planner.run(args.document, operationName, `ws:${operationName ?? ''}\n${text}`, args.contextValue as GatewayContext, args.variableValues ?? undefined);
  };

  const internal = () => new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });

  return useServer<Record<string, unknown> | undefined, Extra>(
    observe({
      schema: pipeline.schema,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        if (drain.isDraining) {
          close(socket, 1013, 'The gateway is shutting down');
          return false;
        }
        const params = ctx.connectionParams ?? {};
        if (Buffer.byteLength(JSON.stringify(params)) > limits.maxConnectionParamsBytes) {
          close(socket, WS_CLOSE.badRequest, `connection_init payload exceeds ${limits.maxConnectionParamsBytes} bytes`);
          return false;
        }
        const address = request.socket.remoteAddress ?? '';
        let caller: Caller;
        try {
          const identity = await pipeline.authenticate(params.Authorization ?? params.authorization, address);
          if (!identity) return false;
          pipeline.checkExpiry(identity);
          await pipeline.admit(identity);
          caller = { identity, address };
        } catch (error) {
          if (code(error) === 'RATE_LIMITED') close(socket, WS_CLOSE.rateLimited, (error as Error).message);
          else if (code(error) === 'SERVICE_UNAVAILABLE') close(socket, 1013, 'Service temporarily unavailable; retry later');
          else if (code(error) !== 'UNAUTHENTICATED') log.error({ err: error }, 'websocket authentication failed');
          return false;
        }
        const subject = caller.identity!.subject;
        if (!(await seats.take(subject, limits.maxSocketsPerUser))) {
          close(socket, WS_CLOSE.rateLimited, `At most ${limits.maxSocketsPerUser} sockets per user`);
          return false;
        }
        // The socket may have closed while the seat was being taken.
        if (socket.readyState !== socket.OPEN) {
          seats.release(subject);
          return false;
        }
        let timer: NodeJS.Timeout | undefined;
        // Every operation still open ends with UNAUTHENTICATED (reconnect with a fresh token and
        // `after`), then the socket closes with 4403.
        const expire = () => {
          const error = { message: 'The token has expired', extensions: { code: 'UNAUTHENTICATED' } };
          for (const id of Object.keys(ctx.subscriptions)) {
            if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ id, type: 'error', payload: [error] }));
          }
          close(socket, WS_CLOSE.forbidden, 'The token has expired');
        };
        const arm = () => {
          const left = caller.identity!.expiresAt! - Date.now();
          timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(expire, left);
          timer.unref();
        };
        if (caller.identity!.expiresAt != null) arm();
        socket.once('close', () => {
          clearTimeout(timer);
          seats.release(subject);
        });
        ctx.extra.caller = caller;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { socket } = ctx.extra;
        const caller = ctx.extra.caller!;
        try {
          if (drain.isDraining) throw pipeline.shuttingDown();
          try {
            pipeline.checkExpiry(caller.identity);
          } catch (error) {
            close(socket, WS_CLOSE.forbidden, 'The token has expired');
            return [error as GraphQLError];
          }
          // This operation is already registered in `subscriptions`.
          const operations = Object.keys(ctx.subscriptions).length;
          if (operations > limits.maxSubscriptionsPerSocket) {
            return [
              new GraphQLError(`At most ${limits.maxSubscriptionsPerSocket} operations may run on one socket`, {
                extensions: { code: 'QUERY_TOO_COMPLEX', maxSubscriptionsPerSocket: limits.maxSubscriptionsPerSocket },
              }),
            ];
          }
          pipeline.checkRequest(payload.query, payload.variables);
          const { document, errors } = pipeline.prepare(payload.query);
          if (errors.length > 0) return errors;
          const operationName = payload.operationName ?? undefined;
          const variables = (payload.variables ?? undefined) as Record<string, unknown> | undefined;
          const cost = pipeline.cost(document, operationName, variables);
          let budget;
          try {
            budget = await pipeline.spend(caller, cost);
          } catch (error) {
            if (code(error) === 'RATE_LIMITED') close(socket, WS_CLOSE.rateLimited, (error as Error).message);
            throw error;
          }
          const contextValue = await pipeline.context(caller, newRequestId(), payload);
          contextValue.budget = budget;
          return { schema: pipeline.schema, document, operationName, variableValues: variables, contextValue } satisfies ExecutionArgs;
        } catch (error) {
          if (error instanceof GraphQLError && typeof code(error) === 'string') return [error];
          log.error({ err: error }, 'websocket operation refused by an unexpected error');
          return [internal()];
        }
      },
      // Queries and mutations are counted by the drain, so a shutdown answers them before the
      // pools close; subscriptions end when the sockets close.
      execute: async (args) => {
        if (drain.isDraining) return { errors: [pipeline.shuttingDown()] };
        const result = await drain.run(async () => (await planned(args)) ?? execute(args));
        pipeline.learnRights(args.contextValue as GatewayContext);
        return result;
      },
      subscribe: async (args) => {
        const result = await runSubscription(args);
        // Open: what its subscribe step read is not kept for the life of the subscription.
        if (Symbol.asyncIterator in result) (args.contextValue as GatewayContext | undefined)?.settle?.();
        return result;
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        const budget = (args.contextValue as GatewayContext | undefined)?.budget;
        // A query's or mutation's answer carries the budget, as over HTTP (not every event).
        const cost =
          budget && getOperationAST(args.document, args.operationName)?.operation !== 'subscription'
            ? { requested: budget.spent, limit: budget.limit, remaining: budget.remaining, resetAt: new Date(budget.resetAt).toISOString() }
            : undefined;
        if (!result.errors && !cost) return undefined;
        return {
          ...result,
          ...(result.errors ? { errors: result.errors.map((error) => pipeline.format(error.toJSON(), error)) } : {}),
          ...(cost ? { extensions: { ...result.extensions, cost } } : {}),
        };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => pipeline.format(error.toJSON(), error)),
    }),
    wsServer,
  );
}
