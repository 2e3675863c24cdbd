import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { FormattedExecutionResult } from 'graphql';
import { createHash } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { idempotencyScope as scope, type HeldKey } from '../db/idempotency-commits';
import type { GatewayContext } from '../graphql/context';
import type { Pipeline } from '../graphql/pipeline';
import { refusal } from '../graphql/refusal';

/** How long an answer is kept for a retried key. */
const KEEP_HOURS = 24;
const KEY = /^[\x21-\x7e]{1,255}$/;

/** Codes after which a retry should run the mutation again: nothing was done, or we cannot tell it was. */
const RETRYABLE = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR']);

const IN_PROGRESS = 'A request with this Idempotency-Key is still in progress; retry later';
const APPLIED_ANSWER_LOST =
  'The request with this Idempotency-Key was applied, but the gateway stopped before its answer could be kept; read the current state instead of retrying';

interface Row {
  request_hash: string;
  response: FormattedExecutionResult | null;
  applied: boolean;
}

/**
 * Requests that carry an Idempotency-Key run in a scope of their own, so that a transaction
 * committing for them can record that it did (src/db/idempotency-commits.ts). Requests without
 * the header pay nothing.
 */
export function idempotencyScope(): RequestHandler {
  return (req, _res, next) => {
    if (req.headers['idempotency-key'] === undefined) return next();
    scope.run({ held: null }, next);
  };
}

/** A key this request holds: its row, and the connection that holds its lock. */
interface Reservation extends HeldKey {
  client: PoolClient;
  lock: string;
}

/**
 * `Idempotency-Key` for mutations over HTTP. The first request with a key reserves it for the
 * caller (a row in PostgreSQL, so every instance and a restarted one see it) and holds a session
 * lock on it while it runs, then stores its answer; a retry with the same key within 24 h gets the
 * stored answer (header `Idempotent-Replayed: true`) and changes nothing. The same key with
 * another request is a CONFLICT (422); a retry while the first is still running is a CONFLICT
 * (409). An answer that says nothing was done (outage, budget, internal error) releases the key,
 * so a retry runs again.
 *
 * A gateway that dies while it holds a key loses its connection, and with it the lock: a retry
 * then runs the mutation if none of its transactions committed (the committing transaction writes
 * `idempotency_applied`, see `IdempotencyCommits`), and otherwise is told that the change was made
 * but its answer was lost (409), never making it twice.
 */
export function idempotencyPlugin(pipeline: Pipeline): ApolloServerPlugin<GatewayContext> {
  const { config, orm } = pipeline.app;
  // Each running keyed mutation holds one connection (its lock) until its answer is stored.
  const locks = new Pool({ connectionString: orm.config.get('clientUrl'), max: config.dbPoolMax, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  locks.on('error', () => undefined);

  const unlock = async (client: PoolClient, lock: string) => {
    try {
      await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [lock]);
      client.release();
    } catch (err) {
      // A connection in doubt is closed, which releases its lock too.
      client.release(err as Error);
    }
  };

  return {
    async serverWillStart() {
      return {
        async serverWillStop() {
          await locks.end();
        },
      };
    },
    async requestDidStart({ request }) {
      const key = request.http?.headers.get('idempotency-key');
      if (key === undefined) return;
      let reserved: Reservation | null = null;
      let replay: FormattedExecutionResult | null = null;
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          if (!KEY.test(key)) {
            throw refusal('BAD_USER_INPUT', 'Idempotency-Key must be 1 to 255 visible ASCII characters', 400, { field: 'Idempotency-Key' });
          }
          const principal = contextValue.caller.identity?.subject;
          if (!principal) return; // the mutation is refused as UNAUTHENTICATED anyway
          const hash = createHash('sha256')
            .update(JSON.stringify([request.query ?? '', request.operationName ?? null, request.variables ?? {}]))
            .digest('hex');
          // The key has no spaces (visible ASCII only): the last space separates it from the subject.
          const lock = `${principal} ${key}`;
          await pipeline.unavailableOnOutage(async () => {
            const client = await locks.connect();
            let keep = false;
            try {
              const [{ locked }] = (await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [lock])).rows;
              // Held by a request that is still running, on this instance or another.
              if (!locked) throw refusal('CONFLICT', IN_PROGRESS, 409);
              try {
                await client.query(`delete from idempotency_key where principal = $1 and key = $2 and created_at < now() - interval '${KEEP_HOURS} hours'`, [principal, key]);
                const inserted = await client.query('insert into idempotency_key (principal, key, request_hash) values ($1, $2, $3) on conflict do nothing', [principal, key, hash]);
                if (inserted.rowCount !== 1) {
                  const [row] = (
                    await client.query<Row>(
                      `select request_hash, response, exists (select 1 from idempotency_applied a where a.principal = k.principal and a.key = k.key) as applied
                         from idempotency_key k where principal = $1 and key = $2`,
                      [principal, key],
                    )
                  ).rows;
                  if (row && row.request_hash !== hash) {
                    throw refusal('CONFLICT', 'This Idempotency-Key was used for another request', 422, { field: 'Idempotency-Key' });
                  }
                  if (row?.response) {
                    replay = row.response;
                    return;
                  }
                  // No answer, and nobody holds the lock: the request that reserved the key died.
                  if (row?.applied) throw refusal('CONFLICT', APPLIED_ANSWER_LOST, 409, { applied: true });
                  // It died before anything committed: this request runs it (the row is ours now).
                }
                reserved = { principal, key, client, lock };
                keep = true;
                const store = scope.getStore();
                if (store) store.held = reserved;
              } finally {
                if (!keep) await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [lock]);
              }
            } finally {
              if (!keep) client.release();
            }
          });
        },
        async responseForOperation(): Promise<GraphQLResponse | null> {
          if (!replay) return null;
          return {
            http: { status: undefined, headers: new HeaderMap([['idempotent-replayed', 'true']]) },
            body: { kind: 'single', singleResult: replay },
          };
        },
        async willSendResponse({ response, contextValue }) {
          const held = reserved as Reservation | null;
          if (!held) return;
          reserved = null;
          const store = scope.getStore();
          if (store?.held === held) store.held = null;
          try {
            if (response.body.kind !== 'single') return;
            const { data, errors } = response.body.singleResult;
            const codes = (errors ?? []).map((e) => e.extensions?.code);
            if (data == null && codes.some((code) => RETRYABLE.has(String(code)))) {
              // Released for a retry, unless one of its transactions committed after all.
              await held.client.query(
                'delete from idempotency_key k where principal = $1 and key = $2 and not exists (select 1 from idempotency_applied a where a.principal = k.principal and a.key = k.key)',
                [held.principal, held.key],
              );
            }
            const stored = JSON.stringify({ data, ...(errors ? { errors } : {}) });
            await held.client.query('update idempotency_key set response = $1::jsonb where principal = $2 and key = $3', [stored, held.principal, held.key]);
          } catch (err) {
            // The answer still goes out; a retry with this key is told what is known (see above).
            contextValue.log.error({ err }, 'the answer of an Idempotency-Key could not be stored');
          } finally {
            await unlock(held.client, held.lock);
          }
        },
      };
    },
  };
}
