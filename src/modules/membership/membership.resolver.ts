import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type ConsortiumGrant } from '../../graphql/grant';
import { Membership } from './membership.entity';
import * as memberships from './membership.service';
import { AdministrationTransferPayload, CreateMembershipInput, LeaveConsortiumPayload, RemoveMemberPayload } from './membership.types';

// Mutations only: the Membership type's field resolvers belong to the consortium module.
@Resolver()
export class MembershipWorkflowResolver {
  @Mutation(() => Membership, { description: 'An additional membership for your organization, with a subset of the acting one’s permissions' })
  createMembership(
    @Arg('input', () => CreateMembershipInput) input: CreateMembershipInput,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<Membership> {
    return memberships.createMembership(ctx, grant, input);
  }

  @Mutation(() => AdministrationTransferPayload, {
    description: 'Hand the ADMINISTRATOR role to another ACTIVE membership, which gets all four permissions; the acting one becomes a MEMBER keeping its permissions',
  })
  transferAdministration(
    @Arg('toMembershipId', () => ID) _toMembershipId: string,
    @Arg('membershipId', () => ID, { nullable: true, description: 'The ADMINISTRATOR membership acted through' }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Membership>,
    @Ctx() ctx: GatewayContext,
  ): Promise<AdministrationTransferPayload> {
    return memberships.transferAdministration(ctx, grant);
  }

  @Mutation(() => Membership, {
    description: "Freeze a member organization: every membership it holds in the consortium (named by one of them); it keeps read access, every change is refused",
  })
  freezeMembership(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, { nullable: true, description: 'The membership acted through' }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Membership>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Membership> {
    return memberships.freezeMembership(ctx, grant);
  }

  @Mutation(() => Membership, { description: 'Unfreeze a frozen organization: every membership it holds in the consortium (named by one of them)' })
  unfreezeMembership(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, { nullable: true, description: 'The membership acted through' }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Membership>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Membership> {
    return memberships.unfreezeMembership(ctx, grant);
  }

  @Mutation(() => LeaveConsortiumPayload, { description: 'Leave: nodes stopped, open invitations revoked; not the last ADMINISTRATOR' })
  leaveConsortium(
    @Arg('membershipId', () => ID) _membershipId: string,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<LeaveConsortiumPayload> {
    return memberships.leaveConsortium(ctx, grant);
  }

  @Mutation(() => RemoveMemberPayload, {
    description: "Remove a member organization (the administrator, where REMOVE_MEMBER needs no vote; never the administrator's own): " +
      'all its memberships LEFT, nodes stopped, open invitations revoked, network roles ended',
  })
  removeMember(
    @Arg('consortiumId', () => ID) _consortiumId: string,
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('membershipId', () => ID, { nullable: true, description: 'The membership acted through' }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<RemoveMemberPayload> {
    return memberships.removeMember(ctx, grant, organizationId);
  }
}
