import { Migration } from '@mikro-orm/migrations';

/**
 * §8.3 governance by vote: voting policies, proposals with their fixed roll of voters, and the
 * event kinds of proposals, removal and the administration hand-over.
 */
export class Migration20261202181515 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "proposal" ("id" uuid not null, "consortium_id" uuid not null, "kind" text check ("kind" in ('INVITE', 'REMOVE_MEMBER', 'TRANSFER_ADMINISTRATION', 'CHANGE_POLICY')) not null, "status" text check ("status" in ('IN_PROGRESS', 'EXECUTED', 'ACTION_FAILED', 'REJECTED', 'EXPIRED', 'WITHDRAWN')) not null default 'IN_PROGRESS', "action" jsonb not null, "description" text null, "proposer_membership_id" uuid not null, "proposer_organization_id" uuid not null, "created_by_id" uuid not null, "threshold_percent" int not null, "comparator" text check ("comparator" in ('GREATER_THAN', 'GREATER_THAN_OR_EQUAL_TO')) not null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), "decided_at" timestamptz null, "failure_reason" text null, constraint "proposal_pkey" primary key ("id"));`);
    this.addSql(`create index "proposal_status_expires_idx" on "proposal" ("status", "expires_at");`);
    this.addSql(`create index "proposal_consortium_created_idx" on "proposal" ("consortium_id", "created_at");`);

    this.addSql(`create table "proposal_voter" ("proposal_id" uuid not null, "organization_id" uuid not null, "choice" text check ("choice" in ('YES', 'NO')) null, "voted_through_id" uuid null, "voted_by_id" uuid null, "voted_at" timestamptz null, constraint "proposal_voter_pkey" primary key ("proposal_id", "organization_id"));`);
    this.addSql(`create index "proposal_voter_organization_idx" on "proposal_voter" ("organization_id", "choice");`);

    this.addSql(`create table "voting_policy" ("consortium_id" uuid not null, "threshold_percent" int not null, "comparator" text check ("comparator" in ('GREATER_THAN', 'GREATER_THAN_OR_EQUAL_TO')) not null, "duration_hours" int not null, "needs_vote" text[] not null default '{}', "updated_at" timestamptz not null default now(), constraint "voting_policy_pkey" primary key ("consortium_id"));`);

    this.addSql(`alter table "proposal" add constraint "proposal_consortium_id_foreign" foreign key ("consortium_id") references "consortium" ("id") on update cascade;`);
    this.addSql(`alter table "proposal" add constraint "proposal_proposer_membership_id_foreign" foreign key ("proposer_membership_id") references "membership" ("id") on update cascade;`);
    this.addSql(`alter table "proposal" add constraint "proposal_proposer_organization_id_foreign" foreign key ("proposer_organization_id") references "organization" ("id") on update cascade;`);
    this.addSql(`alter table "proposal" add constraint "proposal_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade;`);

    this.addSql(`alter table "proposal_voter" add constraint "proposal_voter_proposal_id_foreign" foreign key ("proposal_id") references "proposal" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "proposal_voter" add constraint "proposal_voter_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade;`);
    this.addSql(`alter table "proposal_voter" add constraint "proposal_voter_voted_through_id_foreign" foreign key ("voted_through_id") references "membership" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "proposal_voter" add constraint "proposal_voter_voted_by_id_foreign" foreign key ("voted_by_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "voting_policy" add constraint "voting_policy_consortium_id_foreign" foreign key ("consortium_id") references "consortium" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);

    this.addSql(`alter table "event" add constraint "event_kind_check" check("kind" in ('CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED', 'PROPOSAL_CREATED', 'VOTE_CAST', 'PROPOSAL_APPROVED', 'PROPOSAL_REJECTED', 'PROPOSAL_EXPIRED', 'PROPOSAL_WITHDRAWN', 'PROPOSAL_EXECUTED', 'PROPOSAL_ACTION_FAILED', 'POLICY_CHANGED', 'MEMBER_REMOVED', 'ADMINISTRATION_TRANSFERRED'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "proposal_voter" drop constraint "proposal_voter_proposal_id_foreign";`);

    this.addSql(`drop table if exists "proposal" cascade;`);

    this.addSql(`drop table if exists "proposal_voter" cascade;`);

    this.addSql(`drop table if exists "voting_policy" cascade;`);

    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);

    this.addSql(`alter table "event" add constraint "event_kind_check" check("kind" in ('CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED', 'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED', 'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN', 'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED', 'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED', 'COMPILATION_PROMOTED'));`);
  }

}
