import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { VoteChoice } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type CallerGrant, type ConsortiumGrant } from '../../graphql/grant';
import type { Page } from '../../graphql/pagination';
import { Proposal } from './proposal.entity';
import * as proposals from './proposal.service';
import {
  CreateProposalInput,
  ProposalAction,
  ProposalConnection,
  ProposalsArgs,
  ProposalTally,
  ProposalVote,
  UpdateVotingPolicyInput,
  VotingPolicyView,
} from './proposal.types';
import * as policies from './voting-policy.service';

@Resolver(() => Proposal)
export class ProposalResolver {
  @Query(() => VotingPolicyView, { description: "The consortium's voting policy (§8.3), for every member" })
  votingPolicy(
    @Arg('consortiumId', () => ID) _consortiumId: string,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<VotingPolicyView> {
    return policies.votingPolicyOf(ctx, grant);
  }

  @Query(() => ProposalConnection, { description: "A consortium's proposals, oldest first; optionally only some statuses" })
  proposals(
    @Args(() => ProposalsArgs) args: ProposalsArgs,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<Proposal>> {
    return proposals.consortiumProposals(ctx, grant, args, info);
  }

  @Query(() => Proposal, { description: 'One proposal, with its tally, its votes and who has not voted yet' })
  proposal(@Arg('id', () => ID) _id: string, @Granted() grant: ConsortiumGrant<Proposal>): Proposal {
    return grant.scope.row;
  }

  @Query(() => [Proposal], { description: 'Open proposals on which your organization holds a vote it has not cast, across consortia, nearest deadline first' })
  async myPendingVotes(@Granted() caller: CallerGrant, @Ctx() ctx: GatewayContext): Promise<Proposal[]> {
    // Only consortia the caller sees (a GUEST sees those where it holds a network role, §8.1).
    return proposals.myPendingVotes(ctx, caller.organizationId!, await ctx.authz.visibleConsortiumIds());
  }

  @Mutation(() => VotingPolicyView, { description: 'Change the voting policy directly (the administrator, while CHANGE_POLICY needs no vote); applies to proposals created after it' })
  updateVotingPolicy(
    @Arg('input', () => UpdateVotingPolicyInput) input: UpdateVotingPolicyInput,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<VotingPolicyView> {
    return policies.updateVotingPolicy(ctx, grant, input);
  }

  @Mutation(() => Proposal, { description: 'Put a change to the vote of the member organizations; every voter’s organization receives PROPOSAL_CREATED' })
  createProposal(
    @Arg('input', () => CreateProposalInput) input: CreateProposalInput,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<Proposal> {
    return proposals.createProposal(ctx, grant, input);
  }

  @Mutation(() => Proposal, { description: "Cast your organization's vote (once, final); the vote that makes the outcome certain carries the change out" })
  castVote(
    @Arg('proposalId', () => ID) _proposalId: string,
    @Arg('choice', () => VoteChoice) choice: VoteChoice,
    @Arg('membershipId', () => ID, { nullable: true, description: 'The membership acted through' }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Proposal>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Proposal> {
    return proposals.castVote(ctx, grant, choice);
  }

  @Mutation(() => Proposal, { description: 'Withdraw a proposal your organization made, while it is IN_PROGRESS' })
  withdrawProposal(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, { nullable: true, description: 'The membership acted through' }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Proposal>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Proposal> {
    return proposals.withdrawProposal(ctx, grant);
  }

  @FieldResolver(() => ID)
  consortiumId(@Root() proposal: Proposal): string {
    return proposal.consortium.id;
  }

  @FieldResolver(() => ID, { description: 'The membership that made the proposal' })
  proposerMembershipId(@Root() proposal: Proposal): string {
    return proposal.proposerMembership.id;
  }

  @FieldResolver(() => ID, { description: 'The organization that made the proposal (and may withdraw it)' })
  proposerOrganizationId(@Root() proposal: Proposal): string {
    return proposal.proposerOrganization.id;
  }

  @FieldResolver(() => ProposalAction)
  action(@Root() proposal: Proposal): ProposalAction {
    return proposals.proposalAction(proposal);
  }

  @FieldResolver(() => ProposalTally)
  tally(@Root() proposal: Proposal, @Ctx() ctx: GatewayContext): Promise<ProposalTally> {
    return proposals.proposalTally(ctx, proposal);
  }

  @FieldResolver(() => [ProposalVote], { description: 'Every voter of the roll with its vote (null choice: not voted yet)' })
  votes(@Root() proposal: Proposal, @Ctx() ctx: GatewayContext): Promise<ProposalVote[]> {
    return proposals.proposalVotes(ctx, proposal);
  }

  @FieldResolver(() => [ProposalVote], { description: 'The voters who have not voted yet' })
  async notVoted(@Root() proposal: Proposal, @Ctx() ctx: GatewayContext): Promise<ProposalVote[]> {
    return (await proposals.proposalVotes(ctx, proposal)).filter((v) => v.choice === null);
  }
}
