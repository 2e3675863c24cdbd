import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../errors';

/**
 * A refusal by the transport pipeline (a limit, a budget, an outage, a draining gateway): a
 * GraphQLError with its code, and the HTTP status and headers Apollo sends with it. Over
 * graphql-ws the same error is the operation's error (the status is not sent).
 */
export function refusal(
  code: ErrorCode | 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' | 'BAD_REQUEST',
  message: string,
  status: number,
  details: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { ...details, code, http: { status, headers: new Map(Object.entries(headers)) } },
  });
}
