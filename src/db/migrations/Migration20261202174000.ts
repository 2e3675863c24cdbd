import { Migration } from '@mikro-orm/migrations';

/**
 * §8.2 chain accounts of an environment: a checked public key and its derived address per
 * account, unique per environment. The event log accepts the CHAIN_ACCOUNT_* kinds.
 */
export class Migration20261202174000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "chain_account" ("id" uuid not null, "environment_id" uuid not null, "membership_id" uuid not null, "curve" text check ("curve" in ('SECP256K1', 'ED25519')) not null, "public_key" text not null, "address" text not null, "status" text check ("status" in ('ACTIVE', 'FROZEN')) not null default 'ACTIVE', "frozen_by_membership_id" uuid null, "replaced_by_id" uuid null, "rotated_from_id" uuid null, "created_at" timestamptz not null default now(), constraint "chain_account_pkey" primary key ("id"));`);
    this.addSql(`create index "chain_account_membership_idx" on "chain_account" ("membership_id");`);
    this.addSql(`alter table "chain_account" add constraint "chain_account_environment_address_unique" unique ("environment_id", "address");`);
    this.addSql(`alter table "chain_account" add constraint "chain_account_environment_id_foreign" foreign key ("environment_id") references "environment" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "chain_account" add constraint "chain_account_membership_id_foreign" foreign key ("membership_id") references "membership" ("id") on update cascade;`);
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(`alter table "event" add constraint "event_kind_check" check ("kind" in ('CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'NODE_EXPANDED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED', 'CHAIN_ACCOUNT_CREATED', 'CHAIN_ACCOUNT_KEY_ROTATED', 'CHAIN_ACCOUNT_FROZEN', 'CHAIN_ACCOUNT_UNFROZEN'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(`alter table "event" add constraint "event_kind_check" check ("kind" in ('CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'NODE_EXPANDED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED'));`);
    this.addSql(`drop table if exists "chain_account" cascade;`);
  }

}
