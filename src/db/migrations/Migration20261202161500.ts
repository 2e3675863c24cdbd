import { Migration } from '@mikro-orm/migrations';

/**
 * Tables of the transport layer, read and written with plain SQL (no entities): the cost budget
 * counters of rate-limiter-flexible's PostgreSQL store (its own layout), and the answers kept
 * for mutations sent with an Idempotency-Key.
 */
export class Migration20261202161500 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "rate_budget" ("key" varchar(255) primary key, "points" integer not null default 0, "expire" bigint);`);
    this.addSql(`create table "idempotency_key" ("principal" text not null, "key" text not null, "request_hash" text not null, "response" jsonb null, "created_at" timestamptz not null default now(), primary key ("principal", "key"));`);
    this.addSql(`create index "idempotency_key_created_at_index" on "idempotency_key" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_key";`);
    this.addSql(`drop table if exists "rate_budget";`);
  }

}
