// One GraphQL operation over graphql-ws, for tests of the transport pipeline:
//
//   const socket = await openSocket(gw, token);          // resolves once acknowledged (or closed)
//   const outcome = await socket.run('{ me { id } }');   // { result } | { errors } | { closed }
//   socket.closed                                        // { code, reason } once the server closed it
//   await socket.dispose();
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestGateway } from './gateway';

export interface Closed {
  code: number;
  reason: string;
}

export type Outcome =
  | { kind: 'result'; result: FormattedExecutionResult<Record<string, unknown>, unknown> }
  | { kind: 'errors'; errors: { message: string; extensions?: { code?: string } }[] }
  | { kind: 'closed'; closed: Closed };

export interface TestSocket {
  client: Client;
  /** Set once the server closed the socket. */
  closed: Closed | null;
  /** Runs one operation to its first result, its error or the socket's close. */
  run(query: string, variables?: Record<string, unknown>): Promise<Outcome>;
  /** Waits for the server to close the socket. */
  waitClosed(timeoutMs?: number): Promise<Closed>;
  dispose(): Promise<void>;
}

/** Opens a socket (connection_init with `Authorization: Bearer token` unless params are given). */
export async function openSocket(gw: TestGateway, token: string | null, params?: Record<string, unknown>): Promise<TestSocket> {
  let closed: Closed | null = null;
  let onClosed: (() => void)[] = [];
  const client = createClient({
    url: gw.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: params ?? (token ? { Authorization: `Bearer ${token}` } : {}),
    retryAttempts: 0,
    lazy: false,
    // Keep the socket open between operations (the client closes it when none is left otherwise).
    lazyCloseTimeout: 2 ** 31 - 1,
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string | Buffer };
        closed = { code: e.code, reason: String(e.reason) };
        const waiting = onClosed;
        onClosed = [];
        for (const w of waiting) w();
      },
    },
    // Failures are the tests' subject: never retry, never throw from the lazy-less connect.
    onNonLazyError: () => undefined,
  });
  await new Promise<void>((resolve) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
    onClosed.push(resolve);
  });
  const socket: TestSocket = {
    client,
    get closed() {
      return closed;
    },
    run(query, variables = {}) {
      return new Promise<Outcome>((resolve) => {
        let done = false;
        const finish = (outcome: Outcome) => {
          if (done) return;
          done = true;
          unsubscribe();
          resolve(outcome);
        };
        const unsubscribe = client.subscribe(
          { query, variables },
          {
            next: (result) => finish({ kind: 'result', result }),
            error: (error) => {
              if (Array.isArray(error)) finish({ kind: 'errors', errors: error });
              else {
                const e = error as { code?: number; reason?: string };
                finish({ kind: 'closed', closed: { code: e.code ?? 0, reason: String(e.reason ?? '') } });
              }
            },
            complete: () => finish({ kind: 'closed', closed: closed ?? { code: 0, reason: 'completed without a result' } }),
          },
        );
      });
    },
    waitClosed(timeoutMs = 5_000) {
      if (closed) return Promise.resolve(closed);
      return new Promise<Closed>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the socket was not closed within ${timeoutMs} ms`)), timeoutMs);
        onClosed.push(() => {
          clearTimeout(timer);
          resolve(closed!);
        });
      });
    },
    dispose: () => client.dispose() as Promise<void>,
  };
  return socket;
}

/** The error code of an outcome: the first error's code, or `close <code>`. */
export function codeOf(outcome: Outcome): string | undefined {
  if (outcome.kind === 'closed') return `close ${outcome.closed.code}`;
  if (outcome.kind === 'errors') return outcome.errors[0]?.extensions?.code;
  return (outcome.result.errors?.[0]?.extensions as { code?: string } | undefined)?.code;
}
