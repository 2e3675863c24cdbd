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
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
]);

/** The one mapping from the domain's AppError to what a client sees: its message, its details and its code. */
export function toGraphQLError(error: AppError, opts: { httpStatus?: number } = {}): GraphQLError {
  const http = opts.httpStatus ? { http: { status: opts.httpStatus } } : {};
  return new GraphQLError(error.message, { extensions: { ...appErrorExtensions(error), ...http } });
}

function appErrorExtensions(error: AppError): Record<string, unknown> {
  return { ...error.details, code: error.code };
}

/** Connection-level failures of PostgreSQL (refused, dropped, shut down, pool exhausted). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
]);
// "timeout exceeded when trying to connect": node-postgres's pool waited its connectionTimeoutMillis
// for a free connection (every one busy): the database cannot take the operation now, as for knex's
// "Timeout acquiring a connection".
const UNAVAILABLE_MESSAGES = /Connection terminated|Timeout acquiring a connection|timeout exceeded when trying to connect|connection error|terminating connection|Connection ended unexpectedly|the database system is (starting up|shutting down)|ECONNREFUSED/i;

/** True when the error (or one it wraps) says the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error as Record<string, unknown> | undefined; e && typeof e === 'object' && !seen.has(e); ) {
    seen.add(e);
    if (e.name === 'ConnectionException') return true;
    if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    e = (e.originalError ?? e.cause ?? e.previous) as Record<string, unknown> | undefined;
  }
  return false;
}

/** What a client sees while the database is unreachable: no address, no driver text. */
export const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable; retry later';

/** graphql-js reports its token limit as a syntax error; it is a limit like depth or cost. */
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] \d+ tokens/;

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
  if (limit) {
    const { http: _status, ...extensions } = limit.extensions;
    return { message: limit.message, locations: formatted.locations, extensions };
  }
  if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && TOKEN_LIMIT.test(formatted.message)) {
    return { message: formatted.message.replace(/^Syntax Error: /, ''), extensions: { code: 'QUERY_TOO_COMPLEX' } };
  }
  if (isDatabaseUnavailable(original) || isDatabaseUnavailable(error)) {
    return { message: UNAVAILABLE_MESSAGE, path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
  }
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
