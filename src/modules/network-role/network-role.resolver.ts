import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { notFound } from '../../errors';
import type { GatewayContext } from '../../graphql/context';
import { now } from '../../graphql/loaders';
import { Granted, type CallerGrant } from '../../graphql/grant';
import { Consortium } from '../consortium/consortium.entity';
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
    return now(ctx.loaders.row(User, grant.user.id), (user) => {
      if (!user) throw notFound('User', grant.user.id);
      return user;
    });
  }

  @FieldResolver(() => Consortium)
  consortium(@Root() grant: NetworkRoleGrant, @Ctx() ctx: GatewayContext): Consortium | Promise<Consortium> {
    return now(ctx.loaders.row(Consortium, grant.consortium.id), (consortium) => {
      if (!consortium || consortium.deletedAt) throw notFound('Consortium', grant.consortium.id);
      return consortium;
    });
  }
}
