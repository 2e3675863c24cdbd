import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';

/** An error answered by the gateway, with its `extensions.code` (UNAUTHENTICATED, FORBIDDEN, …). */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[] = [],
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export interface GatewayClientOptions {
  /** The HTTP endpoint, e.g. http://localhost:4000/graphql; subscriptions use the same URL over ws(s). */
  url: string;
  /** Called before every request and every WebSocket connection: return a fresh token (or null). */
  getToken: () => string | null | Promise<string | null>;
  /** Node 20 has no global WebSocket: pass `ws` there. Browsers and Node 22+ need nothing. */
  webSocketImpl?: unknown;
  /** The first and the largest wait between reconnection attempts (default 500 ms and 30 s). */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
}

export interface ResumableHandlers<TData> {
  /** Each result, in order; never one already delivered. */
  next(data: TData): void | Promise<void>;
  /** The sequence of a result, so that a reconnection resumes right after it. */
  sequenceOf(data: TData): number;
  /** Each failed attempt that will be retried (server restart, network error, expired token). */
  onRetry?(info: { attempt: number; delayMs: number; reason: string }): void;
}

export interface ResumableSubscription {
  /** Resolves when stopped or when the server completes it; rejects with a GatewayError when it gives up. */
  done: Promise<void>;
  /** The sequence of the last result delivered (pass it as `after` when you start again). */
  readonly lastSequence: number | null;
  stop(): void;
}

export interface GatewayClient {
  /** A query or a mutation over HTTP; rejects with a GatewayError carrying the first error's code. */
  request<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    ...variables: TVariables extends Record<string, never> ? [] | [TVariables] : [TVariables]
  ): Promise<TData>;
  /**
   * A subscription that survives disconnections: every (re)connection gets a fresh token and asks
   * again with `after` = the last sequence delivered, so nothing is missed or repeated. It retries
   * for ever with exponential backoff, and gives up only on a refused credential (close 4403) or
   * an error the gateway will answer again (FORBIDDEN, NOT_FOUND, BAD_USER_INPUT).
   */
  subscribeResumable<TData, TVariables extends { after?: number | null }>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    handlers: ResumableHandlers<TData>,
  ): ResumableSubscription;
}

/** Close codes after which asking again cannot succeed (graphql-transport-ws protocol). */
const FATAL_CLOSE: Record<number, string> = {
  4400: 'the gateway refused a malformed message',
  4403: 'the gateway refused the credential (close 4403): check the token and the identity provider',
  4406: 'the gateway does not speak graphql-transport-ws',
};
/** Operation errors worth asking again for, with a fresh token and `after`. */
const RETRIABLE_CODES = new Set(['UNAUTHENTICATED', 'SUBSCRIPTION_LAGGING', 'INTERNAL_SERVER_ERROR']);

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'number') {
    const { code, reason } = error as { code: number; reason?: string };
    return `connection closed (${code}${reason ? ` ${reason}` : ''})`;
  }
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return 'connection failed';
}

/** Creates the gateway client: typed requests over HTTP and resumable subscriptions over graphql-ws. */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const wsUrl = options.url.replace(/^http/, 'ws');
  const initialDelay = options.retry?.initialDelayMs ?? 500;
  const maxDelay = options.retry?.maxDelayMs ?? 30_000;

  async function request<TData>(document: DocumentNode, variables: Record<string, unknown> = {}): Promise<TData> {
    const token = await options.getToken();
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await response.json().catch(() => null)) as FormattedExecutionResult<TData> | null;
    if (!body) throw new GatewayError(`The gateway answered ${response.status} without a GraphQL body`, 'BAD_RESPONSE');
    if (body.errors?.length) {
      const first = body.errors[0];
      throw new GatewayError(first.message, String(first.extensions?.code ?? 'UNKNOWN'), body.errors);
    }
    return body.data as TData;
  }

  function subscribeResumable<TData, TVariables extends { after?: number | null }>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    handlers: ResumableHandlers<TData>,
  ): ResumableSubscription {
    const query = print(document);
    let last: number | null = variables.after ?? null;
    let stopped = false;
    const conn: { socket: Client | null } = { socket: null };
    let wake: (() => void) | null = null;

    const attempt = () =>
      new Promise<{ kind: 'complete' } | { kind: 'retry'; reason: string; progressed: boolean } | { kind: 'fatal'; error: GatewayError }>((settle) => {
        let progressed = false;
        // A new connection per attempt: a fresh token in connection_init, and no stale `after`.
        const socket = (conn.socket = createClient({
          url: wsUrl,
          webSocketImpl: options.webSocketImpl,
          lazy: true,
          retryAttempts: 0,
          connectionParams: async () => {
            const token = await options.getToken();
            return token ? { Authorization: `Bearer ${token}` } : {};
          },
          on: { connected: () => (progressed = true) },
        }));
        let chain = Promise.resolve();
        const settleErrors = (errors: readonly { message: string; extensions?: Record<string, unknown> }[]) => {
          const first = errors[0];
          const code = String(first?.extensions?.code ?? 'UNKNOWN');
          const resumeAfter = first?.extensions?.resumeAfter;
          if (typeof resumeAfter === 'number' && (last === null || resumeAfter > last)) last = resumeAfter;
          if (RETRIABLE_CODES.has(code)) settle({ kind: 'retry', reason: `${code}: ${first.message}`, progressed });
          else settle({ kind: 'fatal', error: new GatewayError(first?.message ?? 'subscription refused', code, errors) });
        };
        socket.subscribe<TData>(
          { query, variables: { ...variables, after: last } as Record<string, unknown> },
          {
            next: (result) => {
              chain = chain.then(async () => {
                // An operation error arrives as a result (then `complete`): it decides what follows.
                if (result.errors?.length) return settleErrors(result.errors);
                const data = result.data as TData;
                const sequence = handlers.sequenceOf(data);
                if (last !== null && sequence <= last) return;
                await handlers.next(data);
                last = sequence;
              });
            },
            error: (error) => {
              void chain.then(() => {
                if (Array.isArray(error)) return settleErrors(error);
                const closeCode = (error as { code?: unknown })?.code;
                if (typeof closeCode === 'number' && FATAL_CLOSE[closeCode]) {
                  settle({ kind: 'fatal', error: new GatewayError(FATAL_CLOSE[closeCode], closeCode === 4403 ? 'CREDENTIAL_REFUSED' : 'PROTOCOL_ERROR') });
                  return;
                }
                settle({ kind: 'retry', reason: describe(error), progressed });
              });
            },
            complete: () => void chain.then(() => settle({ kind: 'complete' })),
          },
        );
      });

    const done = (async () => {
      let failures = 0;
      try {
        while (!stopped) {
          const outcome = await attempt();
          await conn.socket?.dispose();
          conn.socket = null;
          if (stopped || outcome.kind === 'complete') return;
          if (outcome.kind === 'fatal') throw outcome.error;
          failures = outcome.progressed ? 1 : failures + 1;
          const ceiling = Math.min(maxDelay, initialDelay * 2 ** (failures - 1));
          const delayMs = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
          handlers.onRetry?.({ attempt: failures, delayMs, reason: outcome.reason });
          await new Promise<void>((resume) => {
            const timer = setTimeout(resume, delayMs);
            wake = () => {
              clearTimeout(timer);
              resume();
            };
          });
          wake = null;
        }
      } finally {
        await conn.socket?.dispose();
      }
    })();

    return {
      done,
      get lastSequence() {
        return last;
      },
      stop() {
        stopped = true;
        wake?.();
        void conn.socket?.dispose();
      },
    };
  }

  return {
    request: (document, ...rest) => request(document, (rest[0] ?? {}) as Record<string, unknown>),
    subscribeResumable,
  };
}
