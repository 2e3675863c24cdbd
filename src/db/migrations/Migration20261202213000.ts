import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency keys survive a gateway that dies while it runs one: the transaction that commits
 * for a keyed request records it here, in the same transaction, so that a retry after a crash
 * knows whether the change was made (see src/http/idempotency.ts).
 */
export class Migration20261202213000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "idempotency_applied" ("principal" text not null, "key" text not null, "applied_at" timestamptz not null default now(), primary key ("principal", "key"), constraint "idempotency_applied_key_fk" foreign key ("principal", "key") references "idempotency_key" ("principal", "key") on delete cascade);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_applied";`);
  }

}
