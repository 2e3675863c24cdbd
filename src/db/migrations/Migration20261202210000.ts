import { Migration } from '@mikro-orm/migrations';

/** Every event kind, as the EventKind enum lists them. */
const EVENT_KINDS = [
  'CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED',
  'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED',
  'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN',
  'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN',
  'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED',
  'ENVIRONMENT_DELETED', 'ENVIRONMENT_SECURITY_UPDATED', 'NODE_CREATED', 'NODE_DELETED',
  'NODE_STOPPED', 'NODE_EXPANDED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED',
  'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED', 'PROPOSAL_CREATED',
  'VOTE_CAST', 'PROPOSAL_APPROVED', 'PROPOSAL_REJECTED', 'PROPOSAL_EXPIRED', 'PROPOSAL_WITHDRAWN',
  'PROPOSAL_EXECUTED', 'PROPOSAL_ACTION_FAILED', 'POLICY_CHANGED', 'MEMBER_REMOVED',
  'ADMINISTRATION_TRANSFERRED', 'CHAIN_ACCOUNT_CREATED', 'CHAIN_ACCOUNT_KEY_ROTATED',
  'CHAIN_ACCOUNT_FROZEN', 'CHAIN_ACCOUNT_UNFROZEN', 'INVITATION_DELIVERED',
  'SERVICE_ACCOUNT_REGISTERED', 'SERVICE_ACCOUNT_SUSPENDED', 'SERVICE_ACCOUNT_REACTIVATED',
  'SERVICE_ACCOUNT_DELETED',
];

/** The kinds allowed before (Migration20261202190000). */
const PREVIOUS_KINDS = EVENT_KINDS.filter((k) => k !== 'INVITATION_DELIVERED' && !k.startsWith('SERVICE_ACCOUNT_'));

const constraint = (kinds: string[]) =>
  `alter table "event" add constraint "event_kind_check" check("kind" in (${kinds.map((k) => `'${k}'`).join(', ')}));`;

/**
 * Machine identities: the service_account table; app_user.email becomes nullable (a service
 * account's user has no address, and a null never equals an address, so no invitation by email
 * can reach it); the event kinds of service accounts and of an invitation by email delivered.
 */
export class Migration20261202210000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "app_user" alter column "email" drop not null;`);
    this.addSql(`create table "service_account" ("id" uuid not null, "organization_id" uuid not null, "user_id" uuid not null, "client_id" text not null, "name" text not null, "account_role" text check ("account_role" in ('OWNER', 'ADMIN', 'MEMBER', 'GUEST')) not null, "status" text check ("status" in ('ACTIVE', 'SUSPENDED')) not null default 'ACTIVE', "created_by_id" uuid null, "created_at" timestamptz not null default now(), constraint "service_account_pkey" primary key ("id"));`);
    this.addSql(`create index "service_account_organization_idx" on "service_account" ("organization_id");`);
    this.addSql(`alter table "service_account" add constraint "service_account_user_unique" unique ("user_id");`);
    this.addSql(`alter table "service_account" add constraint "service_account_client_id_unique" unique ("client_id");`);
    this.addSql(`alter table "service_account" add constraint "service_account_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "service_account" add constraint "service_account_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(constraint(EVENT_KINDS));
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(constraint(PREVIOUS_KINDS));
    this.addSql(`drop table if exists "service_account" cascade;`);
    this.addSql(`delete from "app_user" where "email" is null;`);
    this.addSql(`alter table "app_user" alter column "email" set not null;`);
  }
}
