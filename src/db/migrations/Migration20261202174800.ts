import { Migration } from '@mikro-orm/migrations';

/**
 * §8.2 security editing: an environment's client allow-list (canonical CIDR ranges; empty admits
 * every client, which is what existing environments did) and the TLS policy of its node endpoints
 * (existing environments: TLS 1.2 or newer, no client certificate). The event log accepts
 * ENVIRONMENT_SECURITY_UPDATED.
 */
export class Migration20261202174800 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "environment" add column "allow_list" text[] not null default '{}', add column "tls_min_version" text check ("tls_min_version" in ('TLS1_2', 'TLS1_3')) not null default 'TLS1_2', add column "tls_require_client_certificate" boolean not null default false;`);
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(`alter table "event" add constraint "event_kind_check" check ("kind" in ('CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED', 'ENVIRONMENT_SECURITY_UPDATED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'NODE_EXPANDED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED', 'CHAIN_ACCOUNT_CREATED', 'CHAIN_ACCOUNT_KEY_ROTATED', 'CHAIN_ACCOUNT_FROZEN', 'CHAIN_ACCOUNT_UNFROZEN'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(`alter table "event" add constraint "event_kind_check" check ("kind" in ('CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'NODE_EXPANDED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED', 'CHAIN_ACCOUNT_CREATED', 'CHAIN_ACCOUNT_KEY_ROTATED', 'CHAIN_ACCOUNT_FROZEN', 'CHAIN_ACCOUNT_UNFROZEN'));`);
    this.addSql(`alter table "environment" drop column "allow_list", drop column "tls_min_version", drop column "tls_require_client_certificate";`);
  }

}
