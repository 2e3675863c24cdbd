import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { now } from '../../graphql/loaders';
import { Granted, type CallerGrant, type ConsortiumGrant, type RequestGrant } from '../../graphql/grant';
import type { Page } from '../../graphql/pagination';
import { consortiumSummary } from '../consortium/consortium.service';
import { Invitation } from './invitation.entity';
import { Organization } from '../organization/organization.entity';
import * as invitations from './invitation.service';
import {
  AcceptInvitationPayload,
  ConsortiumInvitationsArgs,
  InvitationConnection,
  InviteOrganizationInput,
  PendingInvitationsArgs,
} from './invitation.types';
import { Membership } from './membership.entity';
import { ConsortiumSummary, MembershipSummary, OrganizationSummary } from './membership.types';

@Resolver(() => Invitation)
export class InvitationResolver {
  @Query(() => InvitationConnection, { description: "Open invitations addressed to your organization (its OWNER and ADMIN users)" })
  pendingInvitations(
    @Args(() => PendingInvitationsArgs) args: PendingInvitationsArgs,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<Invitation>> {
    return invitations.pendingInvitations(ctx, caller, args, info);
  }

  @Query(() => InvitationConnection, { description: "A consortium's invitations, for its members; default the open ones" })
  consortiumInvitations(
    @Args(() => ConsortiumInvitationsArgs) args: ConsortiumInvitationsArgs,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<Invitation>> {
    return invitations.consortiumInvitations(ctx, grant, args, info);
  }

  @Query(() => Invitation, { description: "One invitation, for the invitee's OWNER/ADMIN users and the consortium's members" })
  invitation(
    @Arg('id', () => ID) _id: string,
    @Granted() grant: RequestGrant<Invitation>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Invitation> {
    return invitations.getInvitation(ctx, grant.scope.row);
  }

  @Query(() => OrganizationSummary, {
    description:
      'organization.invite: another organization to invite, by id; only its id and name (§8.1). NOT_FOUND for an unknown id',
  })
  invitableOrganization(
    @Arg('consortiumId', () => ID) _consortiumId: string,
    @Arg('id', () => ID) id: string,
    @Arg('membershipId', () => ID, { nullable: true, description: 'The membership acted through, when several' }) _membershipId: string | null,
    @Granted() _grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<OrganizationSummary> {
    return invitations.invitableOrganization(ctx, id);
  }

  @Mutation(() => Invitation, { description: 'Offer a membership to an organization, named by id or by the email of a person (§5 subset, default and plan rules; §8.1)' })
  inviteOrganization(
    @Arg('input', () => InviteOrganizationInput) input: InviteOrganizationInput,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<Invitation> {
    return invitations.inviteOrganization(ctx, grant, input);
  }

  @Mutation(() => Invitation, { description: 'Revoke a pending invitation: a MEMBER its own, an ADMINISTRATOR any' })
  revokeInvitation(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, { nullable: true }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Invitation>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Invitation> {
    return invitations.revokeInvitation(ctx, grant);
  }

  @Mutation(() => AcceptInvitationPayload, {
    description: "Accept an invitation to your organization: a membership at once (sent by an ADMINISTRATOR) or an application (sent by a MEMBER)",
  })
  acceptInvitation(
    @Arg('id', () => ID) id: string,
    @Arg('displayName', () => String, { nullable: true, description: "Default: the organization's name" }) displayName: string | null,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<AcceptInvitationPayload> {
    return invitations.acceptInvitation(ctx, caller, id, displayName);
  }

  @Mutation(() => Invitation, { description: 'Decline an invitation to your organization' })
  declineInvitation(@Arg('id', () => ID) id: string, @Granted() caller: CallerGrant, @Ctx() ctx: GatewayContext): Promise<Invitation> {
    return invitations.declineInvitation(ctx, caller, id);
  }

  @FieldResolver(() => ConsortiumSummary, { description: 'Only id and name: the invitee is no member yet' })
  consortium(@Root() invitation: Invitation, @Ctx() ctx: GatewayContext): ConsortiumSummary | Promise<ConsortiumSummary> {
    return consortiumSummary(ctx, invitation.consortium.id);
  }

  @FieldResolver(() => MembershipSummary, { description: 'The membership that sent the invitation' })
  invitingMembership(@Root() invitation: Invitation, @Ctx() ctx: GatewayContext): MembershipSummary | Promise<MembershipSummary> {
    return now(ctx.loaders.row(Membership, invitation.invitingMembership.id), (membership) => ({
      id: invitation.invitingMembership.id,
      displayName: membership?.displayName ?? '',
    }));
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'Null while an invitation by email waits for its person to have an organization' })
  inviteeOrganization(@Root() invitation: Invitation, @Ctx() ctx: GatewayContext): Organization | Promise<Organization | null> | null {
    return invitation.inviteeOrganization ? ctx.loaders.row(Organization, invitation.inviteeOrganization.id) : null;
  }
}
