import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';

/** Longest error message a client receives: messages that echo input never echo a megabyte. */
export const MAX_ERROR_MESSAGE_LENGTH = 500;

/** graphql-js appends these to validation and coercion errors; in production they map the schema for an attacker. */
const SUGGESTION = / ?Did you mean (?:.+?)\?$/s;

/** The message without graphql-js' "Did you mean …?" hint. */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/** The message cut to MAX_ERROR_MESSAGE_LENGTH characters (an ellipsis marks the cut). */
export function capMessage(message: string, max = MAX_ERROR_MESSAGE_LENGTH): string {
  return message.length <= max ? message : `${message.slice(0, max - 1)}…`;
}

/** The client's view of a message: capped always, and without suggestions in production. */
export function clientMessage(message: string, production: boolean): string {
  return capMessage(production ? withoutSuggestions(message) : message);
}

/** A formatted error with its message cleaned by `clientMessage`. */
export function cleanFormattedError(error: GraphQLFormattedError, production: boolean): GraphQLFormattedError {
  const message = clientMessage(error.message, production);
  return message === error.message ? error : { ...error, message };
}

/**
 * graphql-ws sends validation errors and results as graphql-js made them (Apollo's formatError
 * does not run there): the same cleaning for its `onError` and `onNext` hooks.
 */
export function wsErrorHygiene(production: boolean) {
  const clean = (e: GraphQLError): GraphQLError => {
    const message = clientMessage(e.message, production);
    if (message === e.message) return e;
    return new GraphQLError(message, { nodes: e.nodes, path: e.path, originalError: e.originalError, extensions: e.extensions });
  };
  return {
    onError: (_ctx: unknown, _id: string, _payload: unknown, errors: readonly GraphQLError[]) => errors.map(clean),
    onNext: (_ctx: unknown, _id: string, _payload: unknown, _args: unknown, result: ExecutionResult) =>
      result.errors?.length ? { ...result, errors: result.errors.map(clean) } : undefined,
  };
}

/**
 * An `operationName` that names no operation of the document is the client's mistake: a 400
 * before anything runs (Apollo would otherwise hand an empty operation to the executor).
 */
export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const named = request.operationName ? `Unknown operation named "${capMessage(request.operationName, 100)}"` : null;
          throw new GraphQLError(named ?? 'The document holds several operations: name one with operationName', {
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
          });
        },
      };
    },
  };
}
