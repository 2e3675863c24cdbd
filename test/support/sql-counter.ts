// Counts the SQL statements a test gateway runs while serving the requests made inside `fn`.
//
//   const { count, statements, result } = await countSql(gw, () => client.ok(SomeDocument, vars));
//
// Only work started by an HTTP request that arrives during `fn` is counted: every request is
// tagged (AsyncLocalStorage) as it enters the server, and each statement that the gateway's ORM
// connection or its reader reports is attributed through that tag. Background work (event feed, sweepers, other
// test files' NOTIFYs) runs outside any request and is ignored, so counts are exact and stable.
// BEGIN/COMMIT of a transaction count as statements. WebSocket operations are not counted.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RunningApp } from '../../src/app';
import { watchStatements } from '../../src/db/reader';
import type { TestGateway } from './gateway';

const requestTag = new AsyncLocalStorage<symbol>();

export interface SqlCount<T> {
  count: number;
  statements: string[];
  result: T;
}

/** Runs `fn` and counts the SQL statements the gateway issued to serve the requests it made. */
export async function countSql<T>(gateway: TestGateway | RunningApp, fn: () => Promise<T>): Promise<SqlCount<T>> {
  const app = 'app' in gateway ? gateway.app : gateway;
  const server = app.gateway.httpServer;
  const tag = Symbol('countSql');
  const statements: string[] = [];
  // Runs before express, in the same synchronous dispatch, so the request's whole async tree
  // (context creation, resolvers, loaders) inherits the tag.
  const onRequest = () => requestTag.enterWith(tag);
  server.prependListener('request', onRequest);
  const unwatch = watchStatements(app.services, (sql) => {
    if (requestTag.getStore() === tag) statements.push(sql);
  });
  try {
    const result = await fn();
    return { count: statements.length, statements, result };
  } finally {
    server.removeListener('request', onRequest);
    unwatch();
  }
}
