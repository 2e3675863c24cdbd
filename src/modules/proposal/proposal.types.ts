import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Permission, ProposalKind, ProposalStatus, TallyOutcome, ThresholdComparator, VoteChoice } from '../../governance';
import { Connection, PageArgs } from '../../graphql/pagination';
import { Proposal } from './proposal.entity';

@ObjectType('VotingPolicy', { simpleResolvers: true, description: 'How a consortium decides by vote (§8.3); every member may read it' })
export class VotingPolicyView {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => Int, { description: 'The YES share of all voters, in percent, that decides (1–100)' })
  thresholdPercent!: number;

  @Field(() => ThresholdComparator)
  comparator!: ThresholdComparator;

  @Field(() => Int, { description: 'How long a proposal stays open, in hours (1 to 720)' })
  durationHours!: number;

  @Field(() => [ProposalKind], { description: 'Kinds of change whose direct mutation is refused: they go through a proposal' })
  needsVote!: ProposalKind[];

  @Field(() => Date, { nullable: true, description: 'When the policy last changed; null while it is the default' })
  updatedAt!: Date | null;
}

@InputType({ description: 'A voting policy: every field is checked against the bounds of §8.3' })
export class VotingPolicyFields {
  @Field(() => Int)
  thresholdPercent!: number;

  @Field(() => ThresholdComparator)
  comparator!: ThresholdComparator;

  @Field(() => Int)
  durationHours!: number;

  @Field(() => [ProposalKind])
  needsVote!: ProposalKind[];
}

@InputType({ description: 'A new voting policy, set directly by the administrator while CHANGE_POLICY needs no vote' })
export class UpdateVotingPolicyInput extends VotingPolicyFields {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => ID, { nullable: true, description: 'The membership acted through; needed only when the organization holds several there' })
  membershipId?: string | null;
}

@InputType({ description: 'An organization to invite, if the proposal passes' })
export class ProposeInviteInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => [Permission], { nullable: true, description: 'Permissions offered; omitted: the default offer of §5' })
  permissions?: Permission[] | null;
}

@InputType({ description: 'A proposal: its kind and the one matching argument' })
export class CreateProposalInput {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => ID, { nullable: true, description: 'The membership acted through; needed only when the organization holds several there' })
  membershipId?: string | null;

  @Field(() => ProposalKind)
  kind!: ProposalKind;

  @Field(() => String, { nullable: true, description: 'Why, in a few words (up to 2000 characters)' })
  description?: string | null;

  @Field(() => ProposeInviteInput, { nullable: true, description: 'For INVITE' })
  invite?: ProposeInviteInput | null;

  @Field(() => ID, { nullable: true, description: 'For REMOVE_MEMBER: the organization to remove' })
  removeOrganizationId?: string | null;

  @Field(() => ID, { nullable: true, description: 'For TRANSFER_ADMINISTRATION: the ACTIVE membership to receive the ADMINISTRATOR role' })
  transferToMembershipId?: string | null;

  @Field(() => VotingPolicyFields, { nullable: true, description: 'For CHANGE_POLICY: the new policy' })
  policy?: VotingPolicyFields | null;
}

@ObjectType({ simpleResolvers: true, description: 'What the proposal would do, by kind' })
export class ProposalAction {
  @Field(() => ID, { nullable: true, description: 'INVITE, REMOVE_MEMBER: the organization' })
  organizationId!: string | null;

  @Field(() => [Permission], { nullable: true, description: 'INVITE: the permissions offered (null: the default offer)' })
  permissions!: Permission[] | null;

  @Field(() => ID, { nullable: true, description: 'TRANSFER_ADMINISTRATION: the receiving membership' })
  membershipId!: string | null;

  @Field(() => VotingPolicyView, { nullable: true, description: 'CHANGE_POLICY: the proposed policy' })
  policy!: VotingPolicyView | null;
}

@ObjectType({ simpleResolvers: true, description: 'The votes of a proposal, counted against its roll of voters' })
export class ProposalTally {
  @Field(() => Int, { description: 'Organizations holding a vote (fixed at creation)' })
  voters!: number;

  @Field(() => Int)
  yes!: number;

  @Field(() => Int)
  no!: number;

  @Field(() => Int, { description: 'Voters who have not voted yet' })
  pending!: number;

  @Field(() => TallyOutcome)
  outcome!: TallyOutcome;
}

@ObjectType({ simpleResolvers: true, description: 'One eligible voter of a proposal and its vote, if cast' })
export class ProposalVote {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => String)
  organizationName!: string;

  @Field(() => VoteChoice, { nullable: true, description: 'Null: not voted yet' })
  choice!: VoteChoice | null;

  @Field(() => Date, { nullable: true })
  votedAt!: Date | null;
}

export const ProposalConnection = Connection(Proposal, 'Proposal');

@ArgsType()
export class ProposalsArgs extends PageArgs {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => [ProposalStatus], { nullable: true, description: 'Only proposals in these statuses; omitted: all' })
  status?: ProposalStatus[] | null;
}
