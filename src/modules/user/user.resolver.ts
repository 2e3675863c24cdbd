import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AccountRole } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type CallerGrant } from '../../graphql/grant';
import { Organization } from '../organization/organization.entity';
import { User } from './user.entity';
import * as users from './user.service';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: 'The signed-in user; provisioned on the first verified request' })
  me(@Granted() caller: CallerGrant, @Ctx() ctx: GatewayContext): User | Promise<User> {
    // The caller's row (and organization) as the principal statement read them: no statement,
    // and no entity merged into an entity manager for an answer that changes nothing.
    return ctx.callerSnapshot() ?? ctx.callerEntity() ?? ctx.em.findOneOrFail(User, { id: caller.user.id });
  }

  @Mutation(() => User, {
    description:
      'organization.users.manage: invites a person by email; they join with this role on their first sign-in. OWNER needs an OWNER; CONFLICT when the email belongs to a user of an organization',
  })
  inviteUser(
    @Arg('organizationId', () => ID) _organizationId: string,
    @Arg('email', () => String) email: string,
    @Arg('role', () => AccountRole) role: AccountRole,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<User> {
    return users.inviteUser(ctx, caller, email, role);
  }

  @Mutation(() => User, {
    description:
      'organization.users.manage: removes a user (and their network roles) from the organization; an OWNER needs an OWNER; never the last OWNER (CONFLICT)',
  })
  removeUser(
    @Arg('organizationId', () => ID) _organizationId: string,
    @Arg('userId', () => ID) userId: string,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<User> {
    return users.removeUser(ctx, caller, userId);
  }

  @Mutation(() => User, {
    description:
      'organization.users.manage: changes a user’s account role; only an OWNER grants or takes away OWNER; the last OWNER cannot be demoted (CONFLICT)',
  })
  setAccountRole(
    @Arg('organizationId', () => ID) _organizationId: string,
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => AccountRole) role: AccountRole,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<User> {
    return users.setAccountRole(ctx, caller, userId, role);
  }

  @FieldResolver(() => Organization, { nullable: true })
  organization(@Root() user: User, @Ctx() ctx: GatewayContext): Organization | Promise<Organization | null> | null {
    // For `me`, the caller's organization was read with the caller (the principal's statement)
    // and is in the by-id loader already: no second statement for `me { organization }`.
    const ref = user.organization;
    return ref ? ctx.loaders.row(Organization, ref.id) : null;
  }

  @FieldResolver(() => Boolean, { description: 'False while an invitation by email waits for the first sign-in' })
  signedIn(@Root() user: User): boolean {
    return Boolean(user.subject);
  }
}

