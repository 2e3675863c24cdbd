import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { AsyncLocalStorage } from 'node:async_hooks';

/** The Idempotency-Key an HTTP request holds while it runs (src/http/idempotency.ts). */
export interface HeldKey {
  principal: string;
  key: string;
}

/** The key held by the HTTP request being served, for the transactions it commits. */
export const idempotencyScope = new AsyncLocalStorage<{ held: HeldKey | null }>();

/**
 * Marks, in the committing transaction itself, that a request holding a key changed something:
 * after a crash between the commit and the stored answer, a retry is then told the change was
 * made instead of making it a second time.
 */
export class IdempotencyCommits implements EventSubscriber {
  async beforeTransactionCommit(args: TransactionEventArgs): Promise<void> {
    const held = idempotencyScope.getStore()?.held;
    if (!held || !args.transaction) return;
    await args.em
      .getConnection()
      .execute('insert into idempotency_applied (principal, key) values (?, ?) on conflict do nothing', [held.principal, held.key], 'run', args.transaction);
  }
}
