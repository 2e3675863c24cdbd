import { Field, Float, ID, ObjectType } from 'type-graphql';
import { BigIntType, Entity, Enum, Index, Opt, PrimaryKey, Property } from '@mikro-orm/core';

export enum EventKind {
  CONSORTIUM_CREATED = 'CONSORTIUM_CREATED',
  CONSORTIUM_UPDATED = 'CONSORTIUM_UPDATED',
  CONSORTIUM_DELETED = 'CONSORTIUM_DELETED',
  NETWORK_ROLE_GRANTED = 'NETWORK_ROLE_GRANTED',
  NETWORK_ROLE_REVOKED = 'NETWORK_ROLE_REVOKED',
  INVITATION_SENT = 'INVITATION_SENT',
  INVITATION_ACCEPTED = 'INVITATION_ACCEPTED',
  INVITATION_DECLINED = 'INVITATION_DECLINED',
  INVITATION_REVOKED = 'INVITATION_REVOKED',
  INVITATION_EXPIRED = 'INVITATION_EXPIRED',
  APPLICATION_SUBMITTED = 'APPLICATION_SUBMITTED',
  APPLICATION_WITHDRAWN = 'APPLICATION_WITHDRAWN',
  APPLICATION_APPROVED = 'APPLICATION_APPROVED',
  APPLICATION_REJECTED = 'APPLICATION_REJECTED',
  MEMBER_JOINED = 'MEMBER_JOINED',
  MEMBER_FROZEN = 'MEMBER_FROZEN',
  MEMBER_UNFROZEN = 'MEMBER_UNFROZEN',
  MEMBER_LEFT = 'MEMBER_LEFT',
  ENVIRONMENT_CREATED = 'ENVIRONMENT_CREATED',
  ENVIRONMENT_UPDATED = 'ENVIRONMENT_UPDATED',
  ENVIRONMENT_DELETED = 'ENVIRONMENT_DELETED',
  ENVIRONMENT_SECURITY_UPDATED = 'ENVIRONMENT_SECURITY_UPDATED',
  NODE_CREATED = 'NODE_CREATED',
  NODE_DELETED = 'NODE_DELETED',
  NODE_STOPPED = 'NODE_STOPPED',
  NODE_EXPANDED = 'NODE_EXPANDED',
  CERTIFICATE_ISSUED = 'CERTIFICATE_ISSUED',
  CERTIFICATE_REVOKED = 'CERTIFICATE_REVOKED',
  COMPILATION_CREATED = 'COMPILATION_CREATED',
  COMPILATION_STATUS_CHANGED = 'COMPILATION_STATUS_CHANGED',
  COMPILATION_PROMOTED = 'COMPILATION_PROMOTED',
  PROPOSAL_CREATED = 'PROPOSAL_CREATED',
  VOTE_CAST = 'VOTE_CAST',
  PROPOSAL_APPROVED = 'PROPOSAL_APPROVED',
  PROPOSAL_REJECTED = 'PROPOSAL_REJECTED',
  PROPOSAL_EXPIRED = 'PROPOSAL_EXPIRED',
  PROPOSAL_WITHDRAWN = 'PROPOSAL_WITHDRAWN',
  PROPOSAL_EXECUTED = 'PROPOSAL_EXECUTED',
  PROPOSAL_ACTION_FAILED = 'PROPOSAL_ACTION_FAILED',
  POLICY_CHANGED = 'POLICY_CHANGED',
  MEMBER_REMOVED = 'MEMBER_REMOVED',
  ADMINISTRATION_TRANSFERRED = 'ADMINISTRATION_TRANSFERRED',
  CHAIN_ACCOUNT_CREATED = 'CHAIN_ACCOUNT_CREATED',
  CHAIN_ACCOUNT_KEY_ROTATED = 'CHAIN_ACCOUNT_KEY_ROTATED',
  CHAIN_ACCOUNT_FROZEN = 'CHAIN_ACCOUNT_FROZEN',
  CHAIN_ACCOUNT_UNFROZEN = 'CHAIN_ACCOUNT_UNFROZEN',
  INVITATION_DELIVERED = 'INVITATION_DELIVERED',
  SERVICE_ACCOUNT_REGISTERED = 'SERVICE_ACCOUNT_REGISTERED',
  SERVICE_ACCOUNT_SUSPENDED = 'SERVICE_ACCOUNT_SUSPENDED',
  SERVICE_ACCOUNT_REACTIVATED = 'SERVICE_ACCOUNT_REACTIVATED',
  SERVICE_ACCOUNT_DELETED = 'SERVICE_ACCOUNT_DELETED',
}

/**
 * One governance event: the audit trail and the feed of every subscription. Written in the same
 * transaction as its change; per consortium the rows form a hash chain. No foreign keys: an event
 * outlives what it speaks of.
 */
@ObjectType('Event', { simpleResolvers: true })
@Entity({ tableName: 'event' })
@Index({ name: 'event_consortium_seq_idx', properties: ['consortiumId', 'sequence'] })
@Index({ name: 'event_audience_seq_idx', properties: ['audienceOrganizationId', 'sequence'] })
export class Event {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  @Field(() => Float, { description: 'Monotonic across the whole log' })
  sequence!: number;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  consortiumId?: string | null;

  @Enum({ items: () => EventKind })
  @Field(() => EventKind)
  kind!: EventKind;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  actorUserId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  actorOrganizationId?: string | null;

  /** The membership the actor acted through, when the action was taken inside a consortium. */
  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  actingMembershipId?: string | null;

  @Property({ type: 'text' })
  @Field(() => String)
  subjectType!: string;

  @Property({ type: 'uuid' })
  @Field(() => ID)
  subjectId!: string;

  /** The organization this event is addressed to, for `organizationEvents`. */
  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  audienceOrganizationId?: string | null;

  /** The stored JSON, exactly as hashed: `rawPayload` in GraphQL; `payload` is its typed view (event.resolver.ts). */
  @Property({ type: 'jsonb' })
  payload: Opt<Record<string, unknown>> = {};

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  prevHash?: string | null;

  @Property({ type: 'text' })
  @Field(() => String)
  hash!: string;
}
