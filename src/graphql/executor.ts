import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from './context';

type Gateway = ApolloServerOptionsWithGateway<GatewayContext>['gateway'];

/**
 * Runs queries and mutations with graphql-jit: each distinct operation is compiled once into a
 * plain function that walks its own selection set, instead of graphql-js interpreting the
 * document field by field on every request (about a quarter of the CPU of a large answer).
 * Resolvers, the authorization middleware, scalars and error handling are the schema's own.
 *
 * Apollo Server accepts an executor only through its gateway interface, so this is a "gateway"
 * with a fixed schema. Apollo still parses, validates (with the query limits) and formats errors;
 * only execution changes. Compiled operations are kept in a bounded LRU cache keyed by the
 * document's hash and operation name; an operation graphql-jit refuses to compile runs on
 * graphql-js, so nothing is lost by the optimization.
 */
export function compiledExecution(schema: GraphQLSchema, opts: { cacheSize: number }): Gateway {
  const compiled = new LRUCache<string, CompiledQuery | { fallback: true }>({ max: opts.cacheSize });

  function compile(document: DocumentNode, operationName: string | undefined, key: string): CompiledQuery | { fallback: true } {
    let entry = compiled.get(key);
    if (!entry) {
      const result = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      entry = isCompiledQuery(result) ? result : { fallback: true };
      compiled.set(key, entry);
    }
    return entry;
  }

  return {
    async load() {
      return {
        executor: async (requestContext): Promise<ExecutionResult> => {
          const { document, request, operationName, queryHash } = requestContext;
          const context = requestContext.context as GatewayContext;
          const entry = compile(document, operationName ?? undefined, `${queryHash}:${operationName ?? ''}`);
          if ('fallback' in entry) {
            return execute({ schema, document, contextValue: context, variableValues: request.variables, operationName });
          }
          const result = await entry.query(undefined, context, request.variables ?? {});
          if (result.errors) result.errors = result.errors.map(asGraphQLError);
          return result as ExecutionResult;
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {
      compiled.clear();
    },
  };
}

/**
 * graphql-jit's errors are GraphQLErrors by prototype but leave `extensions` undefined when the
 * cause had none, which Apollo's error formatting does not expect: rebuild them as graphql-js
 * builds them (extensions taken from the cause, path and locations kept).
 */
function asGraphQLError(error: unknown): GraphQLError {
  if (!(error instanceof Error)) return new GraphQLError(String(error));
  const { path, locations, originalError } = error as Partial<GraphQLError>;
  const rebuilt = new GraphQLError(error.message, { path, originalError: originalError ?? undefined });
  if (locations) (rebuilt as { locations?: unknown }).locations = locations;
  return rebuilt;
}
