import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Organization } from '../organization/organization.entity';
import { User } from './user.entity';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: 'The signed-in user; provisioned on the first verified request' })
  me(@Ctx() ctx: GatewayContext): User {
    return ctx.authz.requireUser();
  }

  @FieldResolver(() => Organization, { nullable: true })
  organization(@Root() user: User, @Ctx() ctx: GatewayContext): Promise<Organization | null> | null {
    return user.organization ? ctx.loaders.byId(Organization).load(user.organization.id) : null;
  }

  @FieldResolver(() => Boolean, { description: 'False while an invitation by email waits for the first sign-in' })
  signedIn(@Root() user: User): boolean {
    return Boolean(user.subject);
  }
}
