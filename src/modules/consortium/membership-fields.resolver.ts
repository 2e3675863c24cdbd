import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { notFound } from '../../errors';
import type { GatewayContext } from '../../graphql/context';
import { Membership } from '../membership/membership.entity';
import { Organization } from '../organization/organization.entity';
import { Consortium } from './consortium.entity';

/**
 * The relations of a Membership, as members see them (transparency, §5): its organization, who
 * invited it, its consortium. The membership module adds the workflow mutations.
 */
@Resolver(() => Membership)
export class MembershipFieldsResolver {
  @FieldResolver(() => Organization)
  async organization(@Root() membership: Membership, @Ctx() ctx: GatewayContext): Promise<Organization> {
    const organization = await ctx.loaders.byId(Organization).load(membership.organization.id);
    if (!organization) throw notFound('Organization', membership.organization.id);
    return organization;
  }

  @FieldResolver(() => Membership, { nullable: true, description: 'The membership that invited this one: the chain of who invited whom' })
  invitedBy(@Root() membership: Membership, @Ctx() ctx: GatewayContext): Promise<Membership | null> | null {
    return membership.invitedBy ? ctx.loaders.byId(Membership).load(membership.invitedBy.id) : null;
  }

  @FieldResolver(() => Consortium)
  async consortium(@Root() membership: Membership, @Ctx() ctx: GatewayContext): Promise<Consortium> {
    const consortium = await ctx.loaders.byId(Consortium).load(membership.consortium.id);
    if (!consortium || consortium.deletedAt) throw notFound('Consortium', membership.consortium.id);
    return consortium;
  }
}
