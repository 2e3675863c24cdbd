import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { EffectiveRole, MembershipStatus } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type CallerGrant, type ConsortiumGrant } from '../../graphql/grant';
import { childPage, PageArgs, type Page } from '../../graphql/pagination';
import { Membership } from '../membership/membership.entity';
import { Organization } from '../organization/organization.entity';
import { Consortium } from './consortium.entity';
import { createConsortium, deleteConsortium, getConsortium, listConsortia, updateConsortium } from './consortium.service';
import { ConsortiumConnection, CreateConsortiumInput, MembershipConnection, MembershipsArgs, membershipStatuses, UpdateConsortiumInput } from './consortium.types';

const DEFAULT_STATUSES = [MembershipStatus.ACTIVE, MembershipStatus.FROZEN];

@Resolver(() => Consortium)
export class ConsortiumResolver {
  @Query(() => Consortium, { description: 'A consortium where your organization holds an ACTIVE or FROZEN membership' })
  consortium(@Arg('id', () => ID) _id: string, @Granted() grant: ConsortiumGrant, @Ctx() ctx: GatewayContext): Promise<Consortium> {
    return getConsortium(ctx, grant);
  }

  @Query(() => ConsortiumConnection, { description: "Your organization's consortia (a GUEST: those where you hold a network role)" })
  async consortia(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<Page<Consortium>> {
    return listConsortia(ctx, await ctx.authz.listableConsortiumIds(), args, info);
  }

  @Mutation(() => Consortium, { description: 'Your organization becomes its ADMINISTRATOR; you become its network OWNER' })
  createConsortium(
    @Arg('input', () => CreateConsortiumInput) input: CreateConsortiumInput,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<Consortium> {
    return createConsortium(ctx, caller, input);
  }

  @Mutation(() => Consortium)
  updateConsortium(
    @Arg('id', () => ID) _id: string,
    @Arg('input', () => UpdateConsortiumInput) input: UpdateConsortiumInput,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<Consortium> {
    return updateConsortium(ctx, grant, input);
  }

  @Mutation(() => ID, { description: 'Only when no other organization holds an ACTIVE or FROZEN membership; returns the id' })
  deleteConsortium(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, { nullable: true }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<string> {
    return deleteConsortium(ctx, grant);
  }

  @FieldResolver(() => MembershipConnection, { description: 'Memberships with their permissions and inviter, oldest first (default: ACTIVE and FROZEN)' })
  async memberships(
    @Root() consortium: Consortium,
    @Args(() => MembershipsArgs) args: MembershipsArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<Membership>> {
    const where = { status: { $in: membershipStatuses(args.status) } };
    const page = await childPage(ctx, Membership, 'consortium', { where, include: ['organization'] }, consortium.id, args, info);
    // Inviters are memberships of the same consortium: most are in this page already. Their
    // organizations came with them (include).
    ctx.loaders.primeById(Membership, page.nodes);
    return page;
  }

  @FieldResolver(() => Organization)
  creatorOrganization(@Root() consortium: Consortium, @Ctx() ctx: GatewayContext): Organization | Promise<Organization> {
    return ctx.loaders.required(Organization, consortium.creatorOrganization.id);
  }

  @FieldResolver(() => [Membership], { description: "Your organization's ACTIVE and FROZEN memberships here" })
  async myMemberships(@Root() consortium: Consortium, @Ctx() ctx: GatewayContext): Promise<Membership[]> {
    const mine = (await ctx.authz.membershipsIn(consortium.id)).filter((m) => DEFAULT_STATUSES.includes(m.status));
    const rows = await ctx.loaders.byId(Membership).loadMany(mine.map((m) => m.id));
    return rows.filter((m): m is Membership => Boolean(m) && !(m instanceof Error));
  }

  @FieldResolver(() => EffectiveRole, { description: 'Your account role and network role here, combined (Layer B)' })
  myEffectiveRole(@Root() consortium: Consortium, @Ctx() ctx: GatewayContext): Promise<EffectiveRole> {
    return ctx.authz.effectiveRoleIn(consortium.id);
  }
}
