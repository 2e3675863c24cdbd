import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { myPermissions, permissionGrid } from './permission.service';
import { ConsortiumPermission, PermissionGrid } from './permission.types';

@Resolver()
export class PermissionResolver {
  @Query(() => [ConsortiumPermission], {
    description:
      'Every consortium action and whether you may perform it there, through the membership you act for; ' +
      'the actions decided by account role alone (environment.security.update) come last',
  })
  async myPermissions(
    @Arg('consortiumId', () => ID) consortiumId: string,
    @Arg('membershipId', () => ID, { nullable: true }) membershipId: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConsortiumPermission[]> {
    // Rights made visible are the authorization layer's own answer: the view action picks the
    // acting membership exactly as enforcement would for a read (a named LEFT one is explained).
    // The voting policy is part of the answer: an action whose kind goes to a vote is refused
    // with the proposal route (§8.3), exactly as the direct mutation would be.
    const [actor, needsVote] = await Promise.all([ctx.authz.actor('consortium.view', consortiumId, membershipId), ctx.authz.needsVote(consortiumId)]);
    return myPermissions(actor, ctx.authz.accountRole, { votingPolicy: { needsVote } });
  }

  @Query(() => PermissionGrid, { description: 'The three permission layers, as the gateway enforces them' })
  permissionGrid(): PermissionGrid {
    return permissionGrid();
  }
}
