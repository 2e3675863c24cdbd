import { Migration } from '@mikro-orm/migrations';

export class Migration20261122043015 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "event" ("sequence" bigserial primary key, "consortium_id" uuid null, "kind" text check ("kind" in ('CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED')) not null, "actor_user_id" uuid null, "actor_organization_id" uuid null, "acting_membership_id" uuid null, "subject_type" text not null, "subject_id" uuid not null, "audience_organization_id" uuid null, "payload" jsonb not null, "created_at" timestamptz not null default now(), "prev_hash" text null, "hash" text not null);`);
    this.addSql(`create index "event_audience_seq_idx" on "event" ("audience_organization_id", "sequence");`);
    this.addSql(`create index "event_consortium_seq_idx" on "event" ("consortium_id", "sequence");`);

    this.addSql(`create table "organization" ("id" uuid not null, "name" text not null, "plan" text check ("plan" in ('STANDARD', 'ENTERPRISE')) not null default 'STANDARD', "licenses" int not null default 0, "billing_contact" text null, "payment_method" text null, "created_at" timestamptz not null default now(), constraint "organization_pkey" primary key ("id"), constraint organization_name_check check (length(btrim(name)) > 0), constraint organization_licenses_check check (licenses >= 0));`);

    this.addSql(`create table "consortium" ("id" uuid not null, "name" text not null, "description" text not null default '', "creator_organization_id" uuid not null, "created_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "consortium_pkey" primary key ("id"), constraint consortium_name_check check (length(btrim(name)) > 0));`);

    this.addSql(`create table "membership" ("id" uuid not null, "consortium_id" uuid not null, "organization_id" uuid not null, "display_name" text not null, "role" text check ("role" in ('ADMINISTRATOR', 'MEMBER')) not null, "permissions" text[] not null default '{}', "status" text check ("status" in ('ACTIVE', 'FROZEN', 'LEFT')) not null default 'ACTIVE', "invited_by_id" uuid null, "created_at" timestamptz not null default now(), constraint "membership_pkey" primary key ("id"), constraint membership_permissions_check check (permissions <@ array['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS']::text[]));`);
    this.addSql(`create index "membership_organization_idx" on "membership" ("organization_id");`);
    this.addSql(`alter table "membership" add constraint "membership_consortium_display_name_unique" unique ("consortium_id", "display_name");`);

    this.addSql(`create table "environment" ("id" uuid not null, "consortium_id" uuid not null, "name" text not null, "client" text check ("client" in ('GETH', 'QUORUM', 'BESU', 'POLYGON_EDGE')) not null, "consensus" text check ("consensus" in ('IBFT', 'QBFT', 'POA', 'RAFT')) not null, "release" text not null, "max_signers" int null, "chain_id" bigint not null, "status" text check ("status" in ('LIVE', 'DELETED')) not null default 'LIVE', "ca_certificate_pem" text not null, "ca_private_key_encrypted" text not null, "created_by_id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "environment_pkey" primary key ("id"), constraint environment_max_signers_check check (max_signers is null or max_signers > 0));`);
    this.addSql(`create index "environment_consortium_idx" on "environment" ("consortium_id");`);
    this.addSql(`create unique index environment_live_name_unique on environment (consortium_id, name) where status <> 'DELETED';`);

    this.addSql(`create table "node" ("id" uuid not null, "environment_id" uuid not null, "membership_id" uuid not null, "name" text not null, "role" text check ("role" in ('SIGNER', 'NON_SIGNER')) not null, "status" text check ("status" in ('RUNNING', 'STOPPED')) not null default 'RUNNING', "created_at" timestamptz not null default now(), constraint "node_pkey" primary key ("id"));`);
    this.addSql(`create index "node_membership_idx" on "node" ("membership_id");`);
    this.addSql(`create index "node_environment_idx" on "node" ("environment_id");`);

    this.addSql(`create table "certificate" ("id" uuid not null, "membership_id" uuid not null, "environment_id" uuid not null, "pem" text not null, "serial" text not null, "subject" text not null, "not_after" timestamptz not null, "status" text check ("status" in ('ACTIVE', 'REVOKED')) not null default 'ACTIVE', "created_at" timestamptz not null default now(), "revoked_at" timestamptz null, constraint "certificate_pkey" primary key ("id"));`);
    this.addSql(`create index "certificate_environment_idx" on "certificate" ("environment_id");`);
    this.addSql(`create unique index certificate_one_active on certificate (membership_id, environment_id) where status = 'ACTIVE';`);

    this.addSql(`create table "compilation" ("id" uuid not null, "consortium_id" uuid not null, "name" text not null, "version" int not null default 1, "previous_version_id" uuid null, "source" text not null, "contract_name" text null, "status" text check ("status" in ('PENDING', 'COMPILED', 'FAILED')) not null default 'PENDING', "compiler_version" text null, "bytecode" text null, "deployed_bytecode" text null, "abi" jsonb null, "errors" jsonb null, "created_by_id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "compilation_pkey" primary key ("id"));`);
    this.addSql(`create index "compilation_status_idx" on "compilation" ("status");`);
    this.addSql(`alter table "compilation" add constraint "compilation_name_version_unique" unique ("consortium_id", "name", "version");`);

    this.addSql(`create table "compilation_promotion" ("id" uuid not null, "compilation_id" uuid not null, "environment_id" uuid not null, "promoted_by_id" uuid not null, "created_at" timestamptz not null default now(), constraint "compilation_promotion_pkey" primary key ("id"));`);
    this.addSql(`alter table "compilation_promotion" add constraint "compilation_promotion_unique" unique ("compilation_id", "environment_id");`);

    this.addSql(`create table "app_user" ("id" uuid not null, "subject" text null, "email" text not null, "name" text null, "organization_id" uuid null, "account_role" text check ("account_role" in ('OWNER', 'ADMIN', 'MEMBER', 'GUEST')) null, "created_at" timestamptz not null default now(), constraint "app_user_pkey" primary key ("id"), constraint app_user_email_check check (email = lower(email)));`);
    this.addSql(`alter table "app_user" add constraint "app_user_subject_unique" unique ("subject");`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);
    this.addSql(`create index "app_user_organization_idx" on "app_user" ("organization_id");`);

    this.addSql(`create table "network_role" ("id" uuid not null, "user_id" uuid not null, "consortium_id" uuid not null, "role" text check ("role" in ('OWNER', 'ADMIN', 'OPERATOR', 'GUEST')) not null, "created_at" timestamptz not null default now(), constraint "network_role_pkey" primary key ("id"));`);
    this.addSql(`alter table "network_role" add constraint "network_role_user_consortium_unique" unique ("user_id", "consortium_id");`);

    this.addSql(`create table "invitation" ("id" uuid not null, "consortium_id" uuid not null, "inviting_membership_id" uuid not null, "invitee_organization_id" uuid not null, "permissions" text[] not null default '{}', "status" text check ("status" in ('PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED', 'EXPIRED')) not null default 'PENDING', "expires_at" timestamptz not null, "created_by_id" uuid not null, "created_at" timestamptz not null default now(), "decided_by_id" uuid null, "decided_at" timestamptz null, constraint "invitation_pkey" primary key ("id"), constraint invitation_permissions_check check (permissions <@ array['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS']::text[]));`);
    this.addSql(`create index "invitation_consortium_idx" on "invitation" ("consortium_id");`);
    this.addSql(`create index "invitation_invitee_status_idx" on "invitation" ("invitee_organization_id", "status");`);

    this.addSql(`create table "application" ("id" uuid not null, "consortium_id" uuid not null, "organization_id" uuid not null, "invitation_id" uuid null, "permissions" text[] not null default '{}', "message" text null, "status" text check ("status" in ('PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN')) not null default 'PENDING', "submitted_by_id" uuid not null, "created_at" timestamptz not null default now(), "decided_by_id" uuid null, "decided_by_membership_id" uuid null, "reason" text null, "decided_at" timestamptz null, constraint "application_pkey" primary key ("id"), constraint application_permissions_check check (permissions <@ array['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS']::text[]));`);
    this.addSql(`create unique index application_one_pending_per_org on application (consortium_id, organization_id) where status = 'PENDING';`);
    this.addSql(`create index "application_consortium_status_idx" on "application" ("consortium_id", "status");`);

    this.addSql(`alter table "consortium" add constraint "consortium_creator_organization_id_foreign" foreign key ("creator_organization_id") references "organization" ("id") on update cascade;`);

    this.addSql(`alter table "membership" add constraint "membership_consortium_id_foreign" foreign key ("consortium_id") references "consortium" ("id") on update cascade;`);
    this.addSql(`alter table "membership" add constraint "membership_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade;`);
    this.addSql(`alter table "membership" add constraint "membership_invited_by_id_foreign" foreign key ("invited_by_id") references "membership" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "environment" add constraint "environment_consortium_id_foreign" foreign key ("consortium_id") references "consortium" ("id") on update cascade;`);
    this.addSql(`alter table "environment" add constraint "environment_created_by_id_foreign" foreign key ("created_by_id") references "membership" ("id") on update cascade;`);

    this.addSql(`alter table "node" add constraint "node_environment_id_foreign" foreign key ("environment_id") references "environment" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "node" add constraint "node_membership_id_foreign" foreign key ("membership_id") references "membership" ("id") on update cascade;`);

    this.addSql(`alter table "certificate" add constraint "certificate_membership_id_foreign" foreign key ("membership_id") references "membership" ("id") on update cascade;`);
    this.addSql(`alter table "certificate" add constraint "certificate_environment_id_foreign" foreign key ("environment_id") references "environment" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "compilation" add constraint "compilation_consortium_id_foreign" foreign key ("consortium_id") references "consortium" ("id") on update cascade;`);
    this.addSql(`alter table "compilation" add constraint "compilation_previous_version_id_foreign" foreign key ("previous_version_id") references "compilation" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "compilation" add constraint "compilation_created_by_id_foreign" foreign key ("created_by_id") references "membership" ("id") on update cascade;`);

    this.addSql(`alter table "compilation_promotion" add constraint "compilation_promotion_compilation_id_foreign" foreign key ("compilation_id") references "compilation" ("id") on update cascade;`);
    this.addSql(`alter table "compilation_promotion" add constraint "compilation_promotion_environment_id_foreign" foreign key ("environment_id") references "environment" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "compilation_promotion" add constraint "compilation_promotion_promoted_by_id_foreign" foreign key ("promoted_by_id") references "membership" ("id") on update cascade;`);

    this.addSql(`alter table "app_user" add constraint "app_user_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "network_role" add constraint "network_role_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "network_role" add constraint "network_role_consortium_id_foreign" foreign key ("consortium_id") references "consortium" ("id") on update cascade;`);

    this.addSql(`alter table "invitation" add constraint "invitation_consortium_id_foreign" foreign key ("consortium_id") references "consortium" ("id") on update cascade;`);
    this.addSql(`alter table "invitation" add constraint "invitation_inviting_membership_id_foreign" foreign key ("inviting_membership_id") references "membership" ("id") on update cascade;`);
    this.addSql(`alter table "invitation" add constraint "invitation_invitee_organization_id_foreign" foreign key ("invitee_organization_id") references "organization" ("id") on update cascade;`);
    this.addSql(`alter table "invitation" add constraint "invitation_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "invitation" add constraint "invitation_decided_by_id_foreign" foreign key ("decided_by_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "application" add constraint "application_consortium_id_foreign" foreign key ("consortium_id") references "consortium" ("id") on update cascade;`);
    this.addSql(`alter table "application" add constraint "application_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade;`);
    this.addSql(`alter table "application" add constraint "application_invitation_id_foreign" foreign key ("invitation_id") references "invitation" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "application" add constraint "application_submitted_by_id_foreign" foreign key ("submitted_by_id") references "app_user" ("id") on update cascade;`);
    this.addSql(`alter table "application" add constraint "application_decided_by_id_foreign" foreign key ("decided_by_id") references "app_user" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "application" add constraint "application_decided_by_membership_id_foreign" foreign key ("decided_by_membership_id") references "membership" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "consortium" drop constraint "consortium_creator_organization_id_foreign";`);

    this.addSql(`alter table "membership" drop constraint "membership_organization_id_foreign";`);

    this.addSql(`alter table "app_user" drop constraint "app_user_organization_id_foreign";`);

    this.addSql(`alter table "invitation" drop constraint "invitation_invitee_organization_id_foreign";`);

    this.addSql(`alter table "application" drop constraint "application_organization_id_foreign";`);

    this.addSql(`alter table "membership" drop constraint "membership_consortium_id_foreign";`);

    this.addSql(`alter table "environment" drop constraint "environment_consortium_id_foreign";`);

    this.addSql(`alter table "compilation" drop constraint "compilation_consortium_id_foreign";`);

    this.addSql(`alter table "network_role" drop constraint "network_role_consortium_id_foreign";`);

    this.addSql(`alter table "invitation" drop constraint "invitation_consortium_id_foreign";`);

    this.addSql(`alter table "application" drop constraint "application_consortium_id_foreign";`);

    this.addSql(`alter table "membership" drop constraint "membership_invited_by_id_foreign";`);

    this.addSql(`alter table "environment" drop constraint "environment_created_by_id_foreign";`);

    this.addSql(`alter table "node" drop constraint "node_membership_id_foreign";`);

    this.addSql(`alter table "certificate" drop constraint "certificate_membership_id_foreign";`);

    this.addSql(`alter table "compilation" drop constraint "compilation_created_by_id_foreign";`);

    this.addSql(`alter table "compilation_promotion" drop constraint "compilation_promotion_promoted_by_id_foreign";`);

    this.addSql(`alter table "invitation" drop constraint "invitation_inviting_membership_id_foreign";`);

    this.addSql(`alter table "application" drop constraint "application_decided_by_membership_id_foreign";`);

    this.addSql(`alter table "node" drop constraint "node_environment_id_foreign";`);

    this.addSql(`alter table "certificate" drop constraint "certificate_environment_id_foreign";`);

    this.addSql(`alter table "compilation_promotion" drop constraint "compilation_promotion_environment_id_foreign";`);

    this.addSql(`alter table "compilation" drop constraint "compilation_previous_version_id_foreign";`);

    this.addSql(`alter table "compilation_promotion" drop constraint "compilation_promotion_compilation_id_foreign";`);

    this.addSql(`alter table "network_role" drop constraint "network_role_user_id_foreign";`);

    this.addSql(`alter table "invitation" drop constraint "invitation_created_by_id_foreign";`);

    this.addSql(`alter table "invitation" drop constraint "invitation_decided_by_id_foreign";`);

    this.addSql(`alter table "application" drop constraint "application_submitted_by_id_foreign";`);

    this.addSql(`alter table "application" drop constraint "application_decided_by_id_foreign";`);

    this.addSql(`alter table "application" drop constraint "application_invitation_id_foreign";`);

    this.addSql(`drop table if exists "event" cascade;`);

    this.addSql(`drop table if exists "organization" cascade;`);

    this.addSql(`drop table if exists "consortium" cascade;`);

    this.addSql(`drop table if exists "membership" cascade;`);

    this.addSql(`drop table if exists "environment" cascade;`);

    this.addSql(`drop table if exists "node" cascade;`);

    this.addSql(`drop table if exists "certificate" cascade;`);

    this.addSql(`drop table if exists "compilation" cascade;`);

    this.addSql(`drop table if exists "compilation_promotion" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop table if exists "network_role" cascade;`);

    this.addSql(`drop table if exists "invitation" cascade;`);

    this.addSql(`drop table if exists "application" cascade;`);
  }

}
