import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type CallerGrant } from '../../graphql/grant';
import { PageArgs, type Page } from '../../graphql/pagination';
import { Consortium } from '../consortium/consortium.entity';
import type { User } from '../user/user.entity';
import { Organization } from './organization.entity';
import * as organizations from './organization.service';
import { Billing, CreateOrganizationInput, UpdateBillingInput, UserConnection } from './organization.types';

/**
 * Layer A root fields and the Organization's relation fields. Guarded object fields are nullable:
 * refused on an organization that is not the caller's own, they fail alone (NOT_FOUND) instead of
 * nulling whatever list reached the organization.
 */
@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => Organization, { description: "The caller's own organization (organization.view); any other id is NOT_FOUND" })
  organization(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Organization> {
    return organizations.getOrganization(ctx, id);
  }

  @Mutation(() => Organization, {
    description: 'Creates an organization whose OWNER is the caller; CONFLICT when the caller already belongs to one',
  })
  async createOrganization(
    @Arg('input', () => CreateOrganizationInput) input: CreateOrganizationInput,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<Organization> {
    const created = await organizations.createOrganization(ctx, caller, input);
    // The rest of this request (the fields selected on the result) is decided as the new OWNER.
    const founder = ctx.callerEntity();
    if (founder) ctx.authz = ctx.authz.withUser(founder);
    return created;
  }

  @Mutation(() => Organization, { description: 'organization.rename (OWNER, ADMIN)' })
  renameOrganization(
    @Arg('id', () => ID) id: string,
    @Arg('name', () => String) name: string,
    @Ctx() ctx: GatewayContext,
  ): Promise<Organization> {
    return organizations.renameOrganization(ctx, id, name);
  }

  @Mutation(() => Organization, { description: 'organization.billing.update (OWNER): contact, payment method, plan' })
  updateBilling(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateBillingInput) input: UpdateBillingInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Organization> {
    return organizations.updateBilling(ctx, id, input);
  }

  @Mutation(() => Organization, { description: 'organization.licenses.manage (OWNER, ADMIN): buy 1–10000 node licenses' })
  purchaseLicenses(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('count', () => Int) count: number,
    @Ctx() ctx: GatewayContext,
  ): Promise<Organization> {
    return organizations.purchaseLicenses(ctx, organizationId, count);
  }

  @Mutation(() => Organization, {
    description: 'organization.licenses.manage (OWNER, ADMIN): release 1–10000 licenses; CONFLICT below the number in use',
  })
  releaseLicenses(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('count', () => Int) count: number,
    @Ctx() ctx: GatewayContext,
  ): Promise<Organization> {
    return organizations.releaseLicenses(ctx, organizationId, count);
  }

  @FieldResolver(() => Billing, { nullable: true, description: 'organization.billing.view; own organization only' })
  billing(@Root() org: Organization, @Ctx() ctx: GatewayContext): Billing {
    return organizations.billingOf(ctx, org);
  }

  @FieldResolver(() => UserConnection, {
    nullable: true,
    description: 'organization.users.list: members, pending email invitations included (signedIn false)',
  })
  users(
    @Root() org: Organization,
    @Args(() => PageArgs) args: PageArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<User>> {
    return organizations.listUsers(ctx, org, args, info);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Licenses used by RUNNING nodes of the organization' })
  licensesInUse(@Root() org: Organization, @Ctx() ctx: GatewayContext): Promise<number> {
    return organizations.licensesInUse(ctx, org);
  }

  @FieldResolver(() => [Consortium], {
    nullable: true,
    description:
      'organization.consortia.list: consortia with an ACTIVE or FROZEN membership; a GUEST sees only those where they hold a network role',
  })
  async consortia(@Root() _org: Organization, @Ctx() ctx: GatewayContext): Promise<Consortium[]> {
    // A GUEST (without organization.consortia.list) sees only those where it holds a network role.
    return organizations.consortiaOf(ctx, await ctx.authz.listableConsortiumIds());
  }
}
