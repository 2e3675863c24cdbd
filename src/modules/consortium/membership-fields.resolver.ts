import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { notFound } from '../../errors';
import type { GatewayContext } from '../../graphql/context';
import { now } from '../../graphql/loaders';
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
  organization(@Root() membership: Membership, @Ctx() ctx: GatewayContext): Organization | Promise<Organization> {
    return now(ctx.loaders.row(Organization, membership.organization.id), (organization) => {
      if (!organization) throw notFound('Organization', membership.organization.id);
      return organization;
    });
  }

  @FieldResolver(() => Membership, { nullable: true, description: 'The membership that invited this one: the chain of who invited whom' })
  invitedBy(@Root() membership: Membership, @Ctx() ctx: GatewayContext): Membership | Promise<Membership | null> | null {
    return membership.invitedBy ? ctx.loaders.row(Membership, membership.invitedBy.id) : null;
  }

  @FieldResolver(() => Consortium)
  consortium(@Root() membership: Membership, @Ctx() ctx: GatewayContext): Consortium | Promise<Consortium> {
    return now(ctx.loaders.row(Consortium, membership.consortium.id), (consortium) => {
      if (!consortium || consortium.deletedAt) throw notFound('Consortium', membership.consortium.id);
      return consortium;
    });
  }
}
