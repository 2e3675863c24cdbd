import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type CallerGrant } from '../../graphql/grant';
import { Consortium } from '../consortium/consortium.entity';
import { liveConsortium } from '../consortium/consortium.service';
import { User } from '../user/user.entity';
import { NetworkRoleGrant } from './network-role.entity';
import { grantNetworkRole, revokeNetworkRole } from './network-role.service';
import { GrantNetworkRoleInput } from './network-role.types';

@Resolver(() => NetworkRoleGrant)
export class NetworkRoleResolver {
  @Mutation(() => NetworkRoleGrant, {
    description: 'Gives a user of your organization a network role in a consortium it belongs to (replaces any other)',
  })
  grantNetworkRole(
    @Arg('input', () => GrantNetworkRoleInput) input: GrantNetworkRoleInput,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<NetworkRoleGrant> {
    return grantNetworkRole(ctx, caller, input);
  }

  @Mutation(() => Boolean, { description: "Takes away a user's network role in a consortium" })
  revokeNetworkRole(
    @Arg('userId', () => ID) userId: string,
    @Arg('consortiumId', () => ID) consortiumId: string,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<boolean> {
    return revokeNetworkRole(ctx, caller, userId, consortiumId);
  }

  @FieldResolver(() => User)
  user(@Root() grant: NetworkRoleGrant, @Ctx() ctx: GatewayContext): User | Promise<User> {
    return ctx.loaders.required(User, grant.user.id);
  }

  @FieldResolver(() => Consortium)
  consortium(@Root() grant: NetworkRoleGrant, @Ctx() ctx: GatewayContext): Consortium | Promise<Consortium> {
    return liveConsortium(ctx, grant.consortium.id);
  }
}
