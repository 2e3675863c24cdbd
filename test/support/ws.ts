// graphql-ws client for tests (Node 20 has no global WebSocket, so `ws` is passed in):
//
//   const sub = await subscribe(gw, token, ConsortiumEventsDocument, { consortiumId, after });
//   const result = await sub.next();          // the next `next` payload ({ data } or { errors })
//   await sub.expectNothing(300);             // nothing arrives within 300 ms
//   const end = await sub.end();              // { kind: 'complete' } | { kind: 'error', error }
//   await sub.close();
//
// `subscribe` resolves once the gateway registered the subscription with its event feed (or
// answered it, e.g. with NOT_FOUND), so a test may cause events right after it.
//
// Many subscriptions on one connection (graphql-ws multiplexes them):
//
//   const conn = connect(gw, token);
//   const subs = ids.map((id) => conn.subscribe(ConsortiumEventsDocument, { consortiumId: id }));
//   await untilRegistered(gw, before + subs.length);   // the feed counts its registrations
//   await conn.close();
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { EVENT_FEED, type EventFeed } from '../../src/modules/event/event.feed';
import type { TestGateway } from './gateway';

export type Item<T> = { kind: 'next'; value: FormattedExecutionResult<T> } | { kind: 'error'; error: unknown } | { kind: 'complete' };

export interface LiveSubscription<T> {
  /** The next result; fails on an error, a completion or a timeout. */
  next(timeoutMs?: number): Promise<FormattedExecutionResult<T>>;
  /** The end of the subscription; fails if a result arrives first. */
  end(timeoutMs?: number): Promise<Exclude<Item<T>, { kind: 'next' }>>;
  /** Fails if anything arrives within `ms`. */
  expectNothing(ms: number): Promise<void>;
  close(): Promise<void>;
  client: Client;
}

/** The gateway's event feed, for readiness and for chaos tests (its LISTEN backend pid). */
export function feedOf(gw: TestGateway): EventFeed {
  return gw.app.services.registry.get(EVENT_FEED) as EventFeed;
}

/** Opens one subscription on its own connection; `token` null sends no Authorization. */
export async function subscribe<T, V extends Record<string, unknown>>(
  gw: TestGateway,
  token: string | null,
  document: TypedDocumentNode<T, V>,
  variables: V,
  opts: { authorization?: string } = {},
): Promise<LiveSubscription<T>> {
  const client = wsClient(gw, opts.authorization ?? (token ? `Bearer ${token}` : undefined));
  const feed = feedOf(gw);
  const before = feed.registrations;
  const { sub, answered } = follow(client, document, variables, async (unsubscribe) => {
    unsubscribe();
    await client.dispose();
  });

  // Ready when the feed registered it, or when the server answered (a refusal, a close).
  const ready = Date.now() + 10_000;
  while (feed.registrations === before && !answered()) {
    if (Date.now() > ready) throw new Error('subscription was neither registered nor answered within 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  return sub;
}

/** One connection for many subscriptions; each `subscribe` sends at once and does not wait for its registration. */
export interface Connection {
  subscribe<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables: V): LiveSubscription<T>;
  close(): Promise<void>;
}

export function connect(gw: TestGateway, token: string): Connection {
  const client = wsClient(gw, `Bearer ${token}`);
  return {
    subscribe: (document, variables) => follow(client, document, variables, async (unsubscribe) => unsubscribe()).sub,
    close: async () => {
      await client.dispose();
    },
  };
}

/** Waits until the gateway's event feed has counted `registrations` in all (see `feed.registrations`). */
export async function untilRegistered(gw: TestGateway, registrations: number, timeoutMs = 20_000): Promise<void> {
  const feed = feedOf(gw);
  const deadline = Date.now() + timeoutMs;
  while (feed.registrations < registrations) {
    if (Date.now() > deadline) throw new Error(`${feed.registrations} of ${registrations} registrations within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function wsClient(gw: TestGateway, authorization: string | undefined): Client {
  return createClient({
    url: gw.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { Authorization: authorization } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

/** Sends one subscription on `client` and queues what arrives for it. */
function follow<T, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<T, V>,
  variables: V,
  close: (unsubscribe: () => void) => Promise<void>,
): { sub: LiveSubscription<T>; answered: () => boolean } {
  const items: Item<T>[] = [];
  let received = 0;
  let waiter: (() => void) | null = null;
  const push = (item: Item<T>) => {
    items.push(item);
    received++;
    const w = waiter;
    waiter = null;
    w?.();
  };
  const unsubscribe = client.subscribe<T, Record<string, unknown>>(
    { query: print(document), variables },
    {
      next: (value) => push({ kind: 'next', value }),
      error: (error) => push({ kind: 'error', error }),
      complete: () => push({ kind: 'complete' }),
    },
  );

  const take = async (timeoutMs: number): Promise<Item<T> | null> => {
    const deadline = Date.now() + timeoutMs;
    while (items.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return items.shift()!;
  };

  const sub: LiveSubscription<T> = {
    client,
    async next(timeoutMs = 5_000) {
      const item = await take(timeoutMs);
      if (!item) throw new Error(`no result within ${timeoutMs} ms`);
      if (item.kind !== 'next') throw new Error(`expected a result, got ${describe(item)}`);
      return item.value;
    },
    async end(timeoutMs = 5_000) {
      const item = await take(timeoutMs);
      if (!item) throw new Error(`the subscription did not end within ${timeoutMs} ms`);
      if (item.kind === 'next') throw new Error(`expected the end, got a result: ${JSON.stringify(item.value)}`);
      return item;
    },
    async expectNothing(ms) {
      const item = await take(ms);
      if (item) throw new Error(`expected nothing, got ${describe(item)}`);
    },
    close: () => close(unsubscribe),
  };
  return { sub, answered: () => received > 0 };
}

function describe(item: Item<unknown>): string {
  if (item.kind === 'next') return `a result ${JSON.stringify(item.value)}`;
  if (item.kind === 'complete') return 'completion';
  const e = item.error as { code?: number; reason?: string } | unknown[];
  return `error ${Array.isArray(e) ? JSON.stringify(e) : `${(e as { code?: number }).code ?? ''} ${(e as { reason?: string }).reason ?? String(e)}`}`;
}
