import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type CallerGrant } from '../../graphql/grant';
import { PageArgs, type Page } from '../../graphql/pagination';
import { ServiceAccount } from './service-account.entity';
import * as accounts from './service-account.service';
import { RegisterServiceAccountInput, ServiceAccountConnection } from './service-account.types';

@Resolver(() => ServiceAccount)
export class ServiceAccountResolver {
  @Query(() => ServiceAccountConnection, {
    description: "organization.serviceAccounts.list (OWNER, ADMIN): the caller's organization's service accounts",
  })
  serviceAccounts(
    @Args(() => PageArgs) args: PageArgs,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<ServiceAccount>> {
    return accounts.listServiceAccounts(ctx, caller, args, info);
  }

  @Mutation(() => ServiceAccount, {
    description:
      "organization.serviceAccounts.manage (OWNER, ADMIN): registers a machine identity; its role is no higher than the caller's; CONFLICT when the client id is in use",
  })
  registerServiceAccount(
    @Arg('input', () => RegisterServiceAccountInput) input: RegisterServiceAccountInput,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<ServiceAccount> {
    return accounts.registerServiceAccount(ctx, caller, input);
  }

  @Mutation(() => ServiceAccount, { description: 'organization.serviceAccounts.manage: its tokens are refused until it is reactivated' })
  suspendServiceAccount(@Arg('id', () => ID) id: string, @Granted() caller: CallerGrant, @Ctx() ctx: GatewayContext): Promise<ServiceAccount> {
    return accounts.suspendServiceAccount(ctx, caller, id);
  }

  @Mutation(() => ServiceAccount, { description: 'organization.serviceAccounts.manage: a suspended account is ACTIVE again' })
  reactivateServiceAccount(@Arg('id', () => ID) id: string, @Granted() caller: CallerGrant, @Ctx() ctx: GatewayContext): Promise<ServiceAccount> {
    return accounts.reactivateServiceAccount(ctx, caller, id);
  }

  @Mutation(() => ServiceAccount, {
    description: 'organization.serviceAccounts.manage: deletes the account; its tokens are refused from now on and its client id is free again',
  })
  deleteServiceAccount(@Arg('id', () => ID) id: string, @Granted() caller: CallerGrant, @Ctx() ctx: GatewayContext): Promise<ServiceAccount> {
    return accounts.deleteServiceAccount(ctx, caller, id);
  }

  @FieldResolver(() => ID, { description: 'The user it acts as (the actor of what it does)' })
  userId(@Root() account: ServiceAccount): string {
    return account.user.id;
  }
}
