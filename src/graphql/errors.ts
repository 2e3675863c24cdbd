import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError } from '../errors';
import { QueryLimitError } from './limits';

const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'LICENSE_EXHAUSTED',
  'QUERY_TOO_COMPLEX',
]);

/** The one mapping from the domain's AppError to what a client sees: its message, its details and its code. */
export function toGraphQLError(error: AppError, opts: { httpStatus?: number } = {}): GraphQLError {
  const http = opts.httpStatus ? { http: { status: opts.httpStatus } } : {};
  return new GraphQLError(error.message, { extensions: { ...appErrorExtensions(error), ...http } });
}

function appErrorExtensions(error: AppError): Record<string, unknown> {
  return { ...error.details, code: error.code };
}

function limitError(error: unknown): QueryLimitError | null {
  for (let e = error as { originalError?: unknown } | undefined, i = 0; e && i < 5; e = e.originalError as never, i++) {
    if (e instanceof QueryLimitError) return e;
  }
  return null;
}

/** True for errors the client caused or may know about; anything else is ours and is masked. */
export function isExpectedError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) return true;
  const code = (error as { extensions?: { code?: unknown } })?.extensions?.code;
  return typeof code === 'string' && PASS_THROUGH.has(code);
}

/** One error shape for clients: `extensions.code` always, details of coded errors, no internals. */
export function formatError(formatted: GraphQLFormattedError, error: unknown, production: boolean): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  // Apollo files limit refusals found during validation under GRAPHQL_VALIDATION_FAILED.
  const limit = limitError(error);
  if (limit) return { message: limit.message, locations: formatted.locations, extensions: { ...limit.extensions } };
  if (original instanceof AppError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: appErrorExtensions(original),
    };
  }
  if (isExpectedError(error)) {
    if (!production) return formatted;
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
