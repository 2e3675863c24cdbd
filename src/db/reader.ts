import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Pool, types } from 'pg';
import { parse as parseArray } from 'postgres-array';
import { traced } from '../observability/tracing';
import { sessionSettings } from './session';
import type { Orm } from './orm';

const TIMESTAMP_OIDS = new Set([1114, 1184]);
/** text[] and varchar[]. */
const STRING_ARRAY_OIDS = new Set([1009, 1015]);

/**
 * Timestamps stay text, as the ORM's driver leaves them: snapshots turn them into dates, and
 * V8's own date parsing costs about half of node-postgres' parser, on every row of a list.
 * Arrays of strings (a membership's permissions, on every membership of a page) are parsed by
 * postgres-array 3, as the ORM parses them: node-postgres' own parser (postgres-array 2) builds
 * an object per character, a sixteenth of all a large query allocated.
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (TIMESTAMP_OIDS.has(oid)) return (value: string) => value;
  if (STRING_ARRAY_OIDS.has(oid) && format !== 'binary') return parseArray;
  return types.getTypeParser(oid, format as 'text');
}

/** Reported for every statement the reader sends, as the ORM's knex reports its own. */
export interface ReaderQueryEvent {
  sql: string;
  bindings: readonly unknown[];
}

/**
 * The read path of GraphQL queries: a node-postgres pool of its own, beside the ORM's.
 *
 * Every statement is a named prepared statement with `$n` parameters (`= any($1)` for lists), so
 * a connection parses and plans each shape once, and a request skips the ORM's and knex's
 * per-statement machinery (connection acquisition through two pools, query building, result
 * mapping), which cost about as much as the statement itself. Values arrive as the ORM's own
 * driver delivers them (the same `pg` module and type parsers, timestamps as text). Changes
 * never go through here: they run in the ORM's transactions and re-read their rows there.
 *
 * Emits `'query'` with `{ sql, bindings }` for each statement, for counting.
 */
export class SqlReader extends EventEmitter {
  private readonly pool: Pool;
  private readonly names = new Map<string, string>();

  constructor(url: string, max: number) {
    super();
    // A page is planned once per statement for the average parent (a lateral subquery's parent id
    // is a parameter), not for the parent at hand. When a page holds about as many rows as the
    // average parent has, a bitmap scan and a sort look cheaper than walking the index in order,
    // and that plan reads every row of a parent far larger than the average for its 20 (3,000 of
    // an environment's nodes among environments of 2: test/api/page-plan.test.ts). Without bitmap
    // scans, the index on (parent, created_at, id) is walked and stops after `first + 1` rows.
    // Nothing else this path reads wants one: single rows and `= any($1)` lists by primary key,
    // and ordered lists by their parent's index. Set once per connection, before it is first used.
    this.pool = new Pool({
      connectionString: url,
      max,
      idleTimeoutMillis: 30_000,
      types: { getTypeParser },
      onConnect: sessionSettings({ enable_bitmapscan: 'off' }),
    });
    // An idle client that loses its connection (server restart) must not crash the process;
    // the next query opens a new one.
    this.pool.on('error', () => undefined);
  }

  /** Rows of one parameterized statement (`$1`, `$2`, …). */
  async rows<R = Record<string, unknown>>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    this.report(text, values);
    const query = { name: this.nameOf(text), text, values: values as unknown[] };
    const result = await traced('sql', sqlAttributes(text), () => this.pool.query(query));
    return result.rows as R[];
  }

  /** Rows of one statement as arrays, in select-list order (no object per row to build). */
  async arrays(text: string, values: readonly unknown[] = []): Promise<unknown[][]> {
    this.report(text, values);
    const query = { name: this.nameOf(text), text, values: values as unknown[], rowMode: 'array' as const };
    const result = await traced('sql', sqlAttributes(text), () => this.pool.query(query));
    return result.rows as unknown[][];
  }

  /** The prepared statement's name: one per text, for the life of the process. */
  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (!name) {
      name = `r_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      this.names.set(text, name);
    }
    return name;
  }

  private report(sql: string, bindings: readonly unknown[]): void {
    if (this.listenerCount('query') > 0) this.emit('query', { sql, bindings } satisfies ReaderQueryEvent);
  }

  /** Connections in use and idle, and callers waiting for one (for the metrics). */
  get poolStats(): { used: number; idle: number; waiting: number } {
    return { used: this.pool.totalCount - this.pool.idleCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A statement's span attributes: its parameterized text only, never the values. */
function sqlAttributes(text: string): Record<string, string> {
  return { 'db.system.name': 'postgresql', 'db.query.text': text };
}

/**
 * Calls `listener` with the text of every statement sent through the ORM's connection or the
 * reader, until the returned function is called (statement counts in tests and benchmarks).
 */
export function watchStatements(services: { orm: Orm; reader: SqlReader }, listener: (sql: string) => void): () => void {
  const knex = services.orm.em.getKnex();
  const onQuery = (q: { sql: string }) => listener(q.sql);
  knex.on('query', onQuery);
  services.reader.on('query', onQuery);
  return () => {
    knex.removeListener('query', onQuery);
    services.reader.removeListener('query', onQuery);
  };
}
