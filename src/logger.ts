import pino, { type Logger } from 'pino';

export type { Logger };

/** Fields of a PostgreSQL error (node-postgres) that quote the values of a row or statement. */
const VALUE_FIELDS = ['detail', 'where', 'internalQuery', 'hint', 'parameters', 'params', 'bindings', 'sql', 'query'];

/** True for an error raised by PostgreSQL, directly (node-postgres) or wrapped by the ORM. */
function isDatabaseError(err: Record<string, unknown>): boolean {
  return typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && ('severity' in err || 'sqlState' in err || 'routine' in err);
}

/**
 * A serialized error as it may be logged: an error of the database keeps its code, table,
 * column, constraint and PostgreSQL's own message, never the statement or the values in it.
 * (knex prefixes the message with the statement and its values inlined: "insert … - message".)
 */
export function withoutSqlValues<E extends Record<string, unknown>>(err: E): E {
  if (!err || typeof err !== 'object' || !isDatabaseError(err)) return err;
  const copy: Record<string, unknown> = { ...err };
  for (const field of VALUE_FIELDS) delete copy[field];
  // The ORM's message: "<statement with values> - <PostgreSQL's message>[\n - detail: …][\n - hint: …]".
  let message = typeof err.message === 'string' ? err.message : '';
  for (const [label, value] of [['hint', err.hint], ['detail', err.detail]] as const) {
    const tail = `\n - ${label}: ${String(value)}`;
    if (value && message.endsWith(tail)) message = message.slice(0, -tail.length);
  }
  const cut = message.lastIndexOf(' - ');
  const clean = cut >= 0 ? message.slice(cut + 3) : message;
  copy.message = clean;
  if (typeof err.stack === 'string') {
    const frames = err.stack.split('\n').filter((line) => /^\s+at /.test(line));
    copy.stack = [`${String(err.type ?? 'Error')}: ${clean}`, ...frames].join('\n');
  }
  return copy as E;
}

/** JSON logs on stdout; tests pass level 'silent'. Database errors are logged without SQL values. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'governance-gateway' },
      redact: { paths: ['req.headers.authorization', '*.authorization', '*.token'], remove: true },
      serializers: { err: (e: Error) => withoutSqlValues(pino.stdSerializers.err(e) as unknown as Record<string, unknown>) },
    },
    destination,
  );
}
