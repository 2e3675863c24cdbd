import { Migration } from '@mikro-orm/migrations';

/**
 * §8.2 node sizes: a node takes 1, 2 or 4 licenses; every existing node is SMALL (1 license, what
 * it took before). The event log accepts NODE_EXPANDED.
 */
export class Migration20261202172500 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "node" add column "size" text check ("size" in ('SMALL', 'MEDIUM', 'LARGE')) not null default 'SMALL';`);
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(`alter table "event" add constraint "event_kind_check" check ("kind" in ('CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'NODE_EXPANDED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(`alter table "event" add constraint "event_kind_check" check ("kind" in ('CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED'));`);
    this.addSql(`alter table "node" drop column "size";`);
  }

}
