import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Membership } from '../membership/membership.entity';
import { Organization } from '../organization/organization.entity';
import { Consortium } from './consortium.entity';
import { liveConsortium } from './consortium.service';

/**
 * The relations of a Membership, as members see them (transparency, §5): its organization, who
 * invited it, its consortium. The membership module adds the workflow mutations.
 */
@Resolver(() => Membership)
export class MembershipFieldsResolver {
  @FieldResolver(() => Organization)
  organization(@Root() membership: Membership, @Ctx() ctx: GatewayContext): Organization | Promise<Organization> {
    return ctx.loaders.required(Organization, membership.organization.id);
  }

  @FieldResolver(() => Membership, { nullable: true, description: 'The membership that invited this one: the chain of who invited whom' })
  invitedBy(@Root() membership: Membership, @Ctx() ctx: GatewayContext): Membership | Promise<Membership | null> | null {
    return membership.invitedBy ? ctx.loaders.row(Membership, membership.invitedBy.id) : null;
  }

  @FieldResolver(() => Consortium)
  consortium(@Root() membership: Membership, @Ctx() ctx: GatewayContext): Consortium | Promise<Consortium> {
    return liveConsortium(ctx, membership.consortium.id);
  }
}
