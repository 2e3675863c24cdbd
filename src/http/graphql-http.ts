import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../graphql/context';
import { statusOfCodes, type Pipeline } from '../graphql/pipeline';
import type { Drain } from './drain';

function sendRefusal(res: Parameters<RequestHandler>[1], error: GraphQLError): void {
  const http = error.extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
  for (const [name, value] of http?.headers ?? []) res.setHeader(name, value);
  const { http: _status, ...extensions } = error.extensions;
  res.status(http?.status ?? 400).json({ errors: [{ message: error.message, extensions }] });
}

/** Bodies the JSON parser refused (too large, not JSON) get a coded answer, not an HTML page. */
export const bodyErrors: ErrorRequestHandler = (error: { type?: string; status?: number; limit?: number }, _req, res, next) => {
  if (error?.type === 'entity.too.large') {
    res.status(413).json({ errors: [{ message: `The request body exceeds the maximum of ${error.limit} bytes`, extensions: { code: 'QUERY_TOO_COMPLEX', maxBodyBytes: error.limit } }] });
    return;
  }
  if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
    res.status(error.status).json({ errors: [{ message: 'The request body could not be read as JSON', extensions: { code: 'BAD_REQUEST' } }] });
    return;
  }
  next(error);
};

/** The pipeline's bounds of the raw request (document size, variables), before Apollo parses. */
export function requestBounds(pipeline: Pipeline): RequestHandler {
  return (req, res, next) => {
    const operations: unknown[] = req.method === 'GET' ? [{ query: req.query.query }] : Array.isArray(req.body) ? req.body : [req.body];
    try {
      for (const op of operations) {
        const { query, variables } = (op ?? {}) as { query?: unknown; variables?: unknown };
        // A missing query is Apollo's to answer (persisted queries, empty bodies).
        if (query === undefined) continue;
        pipeline.checkRequest(query, req.method === 'GET' ? undefined : variables);
      }
    } catch (error) {
      if (error instanceof GraphQLError) return sendRefusal(res, error);
      return next(error);
    }
    next();
  };
}

/**
 * The HTTP half of the pipeline inside Apollo: the operation's cost is estimated and spent from
 * the caller's budget once it is resolved (before execution), the answer carries the budget in
 * `extensions.cost`, and the status follows the most telling error code (503 during an outage,
 * 429 over budget, 400 for a limit), with `Retry-After` where a retry helps.
 */
export function httpPipelinePlugin(pipeline: Pipeline, drain: Drain): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operationName, contextValue }) {
          const cost = pipeline.cost(document, operationName ?? undefined, request.variables ?? undefined);
          contextValue.budget = await pipeline.spend(contextValue.caller, cost);
        },
        async willSendResponse({ response, contextValue }) {
          pipeline.learnRights(contextValue);
          if (drain.isDraining) response.http.headers.set('connection', 'close');
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const budget = contextValue?.budget;
          if (budget) {
            result.extensions = {
              ...result.extensions,
              cost: { requested: budget.spent, limit: budget.limit, remaining: budget.remaining, resetAt: new Date(budget.resetAt).toISOString() },
            };
          }
          const codes = (result.errors ?? []).map((e) => e.extensions?.code);
          const status = statusOfCodes(codes, result.data != null);
          if (status === null) return;
          response.http.status = status;
          if (status === 503 || status === 429) {
            const retryAfter = result.errors?.map((e) => e.extensions?.retryAfter).find((v) => typeof v === 'number');
            if (!response.http.headers.get('retry-after')) {
              response.http.headers.set('retry-after', String(retryAfter ?? pipeline.app.config.retryAfterSeconds));
            }
          }
        },
      };
    },
  };
}
