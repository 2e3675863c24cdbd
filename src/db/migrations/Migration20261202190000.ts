import { Migration } from '@mikro-orm/migrations';

/** Every event kind of the second edition (§8.1, §8.2, §8.3), as the EventKind enum lists them. */
const EVENT_KINDS = [
  'CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED',
  'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED',
  'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN',
  'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN',
  'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED',
  'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'CERTIFICATE_ISSUED',
  'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED',
  'COMPILATION_PROMOTED', 'PROPOSAL_CREATED', 'VOTE_CAST', 'PROPOSAL_APPROVED',
  'PROPOSAL_REJECTED', 'PROPOSAL_EXPIRED', 'PROPOSAL_WITHDRAWN', 'PROPOSAL_EXECUTED',
  'PROPOSAL_ACTION_FAILED', 'POLICY_CHANGED', 'MEMBER_REMOVED', 'ADMINISTRATION_TRANSFERRED',
];

/** The kinds the constraint allowed before (Migration20261202182714). */
const PREVIOUS_KINDS = [
  'CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED', 'CONSORTIUM_DELETED', 'NETWORK_ROLE_GRANTED',
  'NETWORK_ROLE_REVOKED', 'INVITATION_SENT', 'INVITATION_ACCEPTED', 'INVITATION_DECLINED',
  'INVITATION_REVOKED', 'INVITATION_EXPIRED', 'APPLICATION_SUBMITTED', 'APPLICATION_WITHDRAWN',
  'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'MEMBER_JOINED', 'MEMBER_FROZEN',
  'MEMBER_UNFROZEN', 'MEMBER_LEFT', 'ENVIRONMENT_CREATED', 'ENVIRONMENT_UPDATED',
  'ENVIRONMENT_DELETED', 'NODE_CREATED', 'NODE_DELETED', 'NODE_STOPPED', 'CERTIFICATE_ISSUED',
  'CERTIFICATE_REVOKED', 'COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED',
  'COMPILATION_PROMOTED', 'ADMINISTRATION_TRANSFERRED',
];

const constraint = (kinds: string[]) =>
  `alter table "event" add constraint "event_kind_check" check("kind" in (${kinds.map((k) => `'${k}'`).join(', ')}));`;

/**
 * One check constraint naming every event kind: the features of the second edition each added
 * kinds in their own migration; this one runs last and allows all of them.
 */
export class Migration20261202190000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(constraint(EVENT_KINDS));
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "event" drop constraint if exists "event_kind_check";`);
    this.addSql(constraint(PREVIOUS_KINDS));
  }
}
