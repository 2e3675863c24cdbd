import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { createHash } from 'node:crypto';
import type { GatewayContext } from '../graphql/context';
import type { Pipeline } from '../graphql/pipeline';
import { refusal } from '../graphql/refusal';

/** How long an answer is kept for a retried key. */
const KEEP_HOURS = 24;
const KEY = /^[\x21-\x7e]{1,255}$/;

/** Codes after which a retry should run the mutation again: nothing was done, or we cannot tell it was. */
const RETRYABLE = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR']);

interface Row {
  request_hash: string;
  response: FormattedExecutionResult | null;
}

/**
 * `Idempotency-Key` for mutations over HTTP. The first request with a key reserves it for the
 * caller (a row in PostgreSQL, so every instance and a restarted one see it), runs, and stores its
 * answer; a retry with the same key within 24 h gets the stored answer (header
 * `Idempotent-Replayed: true`) and changes nothing. The same key with another request is a
 * CONFLICT (422); a retry while the first is still running is a CONFLICT (409). An answer that says
 * nothing was done (outage, budget, internal error) releases the key, so a retry runs again.
 */
export function idempotencyPlugin(pipeline: Pipeline): ApolloServerPlugin<GatewayContext> {
  const db = () => pipeline.app.orm.em.fork().getConnection();
  return {
    async requestDidStart({ request }) {
      const key = request.http?.headers.get('idempotency-key');
      if (key === undefined) return;
      let reserved: { principal: string } | null = null;
      let replay: FormattedExecutionResult | null = null;
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          if (!KEY.test(key)) {
            throw refusal('BAD_USER_INPUT', 'Idempotency-Key must be 1 to 255 visible ASCII characters', 400, { field: 'Idempotency-Key' });
          }
          const subject = contextValue.caller.identity?.subject;
          if (!subject) return; // the mutation is refused as UNAUTHENTICATED anyway
          const principal = subject;
          const hash = createHash('sha256')
            .update(JSON.stringify([request.query ?? '', request.operationName ?? null, request.variables ?? {}]))
            .digest('hex');
          await pipeline.unavailableOnOutage(async () => {
            const conn = db();
            await conn.execute(`delete from idempotency_key where principal = ? and key = ? and created_at < now() - interval '${KEEP_HOURS} hours'`, [principal, key]);
            const inserted = await conn.execute<{ key: string }[]>(
              'insert into idempotency_key (principal, key, request_hash) values (?, ?, ?) on conflict do nothing returning key',
              [principal, key, hash],
            );
            if (inserted.length === 1) {
              reserved = { principal };
              return;
            }
            const [row] = await conn.execute<Row[]>('select request_hash, response from idempotency_key where principal = ? and key = ?', [principal, key]);
            if (!row) throw refusal('CONFLICT', 'A request with this Idempotency-Key is still in progress; retry later', 409);
            if (row.request_hash !== hash) {
              throw refusal('CONFLICT', 'This Idempotency-Key was used for another request', 422, { field: 'Idempotency-Key' });
            }
            if (!row.response) throw refusal('CONFLICT', 'A request with this Idempotency-Key is still in progress; retry later', 409);
            replay = typeof row.response === 'string' ? JSON.parse(row.response) : row.response;
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
          const held = reserved as { principal: string } | null;
          if (!held || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const codes = (errors ?? []).map((e) => e.extensions?.code);
          const conn = db();
          try {
            if (data == null && codes.some((code) => RETRYABLE.has(String(code)))) {
              await conn.execute('delete from idempotency_key where principal = ? and key = ?', [held.principal, key]);
            } else {
              const stored = JSON.stringify({ data, ...(errors ? { errors } : {}) });
              await conn.execute('update idempotency_key set response = ?::jsonb where principal = ? and key = ?', [stored, held.principal, key]);
            }
          } catch (err) {
            // The answer still goes out; a retry with this key will be told it is in progress.
            contextValue.log.error({ err }, 'the answer of an Idempotency-Key could not be stored');
          }
        },
      };
    },
  };
}
