import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ProposalStatus, VoteChoice } from '../../governance/proposal';
import { ProposalKind, ThresholdComparator } from '../../governance/voting-policy';
import { Consortium } from '../consortium/consortium.entity';
import { Membership } from '../membership/membership.entity';
import { Organization } from '../organization/organization.entity';
import { User } from '../user/user.entity';

/** §8.3: a consortium's voting policy. No row: the default policy (no kind needs a vote). */
@Entity({ tableName: 'voting_policy' })
export class VotingPolicyRow {
  @ManyToOne(() => Consortium, { ref: true, primary: true })
  consortium!: Ref<Consortium>;

  @Property({ type: 'integer' })
  thresholdPercent!: number;

  @Enum({ items: () => ThresholdComparator })
  comparator!: ThresholdComparator;

  @Property({ type: 'integer' })
  durationHours!: number;

  @Enum({ items: () => ProposalKind, array: true, default: [] })
  needsVote: Opt<ProposalKind[]> = [];

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Opt<Date> = new Date();
}

/**
 * §8.3: a change put to the vote of the member organizations. Its terms (threshold, comparator,
 * deadline) and its voters are fixed when it is created; a later policy change never reaches it.
 */
@ObjectType('Proposal', { simpleResolvers: true })
@Entity({ tableName: 'proposal' })
@Index({ name: 'proposal_consortium_created_idx', properties: ['consortium', 'createdAt'] })
@Index({ name: 'proposal_status_expires_idx', properties: ['status', 'expiresAt'] })
export class Proposal {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Consortium, { ref: true })
  consortium!: Ref<Consortium>;

  @Enum({ items: () => ProposalKind })
  @Field(() => ProposalKind)
  kind!: ProposalKind;

  @Enum({ items: () => ProposalStatus, default: ProposalStatus.IN_PROGRESS })
  @Field(() => ProposalStatus)
  status: Opt<ProposalStatus> = ProposalStatus.IN_PROGRESS;

  /** What the proposal would do, by kind (see proposal.input.ts). */
  @Property({ type: 'jsonb' })
  action!: Record<string, unknown>;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  description?: string | null;

  @ManyToOne(() => Membership, { ref: true })
  proposerMembership!: Ref<Membership>;

  @ManyToOne(() => Organization, { ref: true })
  proposerOrganization!: Ref<Organization>;

  @ManyToOne(() => User, { ref: true })
  createdBy!: Ref<User>;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Copied from the voting policy when the proposal was created' })
  thresholdPercent!: number;

  @Enum({ items: () => ThresholdComparator })
  @Field(() => ThresholdComparator)
  comparator!: ThresholdComparator;

  @Property({ type: 'timestamptz' })
  @Field(() => Date, { description: 'The deadline: at this instant an undecided proposal is EXPIRED' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it left IN_PROGRESS' })
  decidedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the approved action could not be carried out (ACTION_FAILED)' })
  failureReason?: string | null;
}

/** One eligible voter of a proposal, fixed at creation; its choice is set once, final. */
@Entity({ tableName: 'proposal_voter' })
@Index({ name: 'proposal_voter_organization_idx', properties: ['organization', 'choice'] })
export class ProposalVoter {
  @ManyToOne(() => Proposal, { ref: true, primary: true, deleteRule: 'cascade' })
  proposal!: Ref<Proposal>;

  @ManyToOne(() => Organization, { ref: true, primary: true })
  organization!: Ref<Organization>;

  @Enum({ items: () => VoteChoice, nullable: true })
  choice?: VoteChoice | null;

  @ManyToOne(() => Membership, { ref: true, nullable: true })
  votedThrough?: Ref<Membership> | null;

  @ManyToOne(() => User, { ref: true, nullable: true })
  votedBy?: Ref<User> | null;

  @Property({ type: 'timestamptz', nullable: true })
  votedAt?: Date | null;
}
