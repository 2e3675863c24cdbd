// Layer A user management (governance.md §2): invite by email, remove, change an account role.
// Each change locks the organization row first, then re-reads the actor's role and counts the
// OWNERs under that lock, so two concurrent demotions can never leave the organization ownerless.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound, refusal } from '../../errors';
import { AccountRole, canChangeAccountRole, canRemoveUser } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { CallerGrant } from '../../graphql/grant';
import { requireId } from '../../validation';
import { NetworkRoleGrant } from '../network-role/network-role.entity';
import { deliverInvitationsByEmail } from '../membership/invitation.service';
import { lockOrganization } from '../organization/organization.service';
import { validEmail } from '../organization/organization.validation';
import { ServiceAccount } from '../service-account/service-account.entity';
import { User } from './user.entity';

const MANAGE = 'organization.users.manage';

/** The actor's account role as committed now (the request's copy may predate a concurrent change). */
async function actorRoleNow(em: EntityManager, actorId: string, organizationId: string): Promise<AccountRole | null> {
  const [row] = await em.execute<{ account_role: AccountRole | null }[]>(
    'select account_role from app_user where id = ? and organization_id = ?',
    [actorId, organizationId],
  );
  return row?.account_role ?? null;
}

/** OWNERs who are people (invited or signed in): a service account never keeps an organization governable. */
function countOwners(em: EntityManager, organizationId: string): Promise<number> {
  return em.count(User, { organization: organizationId, accountRole: AccountRole.OWNER, email: { $ne: null } });
}

async function memberOf(em: EntityManager, organizationId: string, userId: string): Promise<User> {
  const user = await em.findOne(User, { id: userId, organization: organizationId }, { refresh: true });
  if (!user) throw notFound('User', userId);
  // A service account's role and organization are its own record's: changed through its mutations only.
  if ((await em.count(ServiceAccount, { user: user.id })) > 0) {
    throw conflict('This user is a service account: suspend, reactivate or delete it with the service account mutations', { userId });
  }
  return user;
}

/**
 * Invites a person by email with an account role: a User row without subject that their first
 * sign-in claims. A signed-in user without organization is attached at once when their address is
 * verified (else CONFLICT). An email of a user who belongs to any organization is CONFLICT. Granting OWNER needs an OWNER.
 */
export async function inviteUser(ctx: GatewayContext, caller: CallerGrant, email: string, role: AccountRole): Promise<User> {
  const actor = caller.user;
  const organizationId = caller.organizationId!;
  const address = validEmail(email);
  const taken = () => conflict(`${address} already belongs to an organization`, { field: 'email' });
  return ctx.em.transactional(async (tem) => {
    await lockOrganization(tem, organizationId);
    // A newcomer holds no role yet: inviting is granting one, judged like promoting a GUEST.
    const decision = canChangeAccountRole({
      actorRole: await actorRoleNow(tem, actor.id, organizationId),
      targetCurrentRole: AccountRole.GUEST,
      targetNewRole: role,
      ownerCount: await countOwners(tem, organizationId),
    });
    if (!decision.allowed) throw refusal(MANAGE, decision);
    const existing = await tem.findOne(User, { email: address }, { refresh: true });
    // Attaching a signed-in person by address claims it for them: only an address their provider
    // verified may be claimed (§8.1), else whoever typed it would be let in.
    if (existing?.subject && !existing.emailVerified && !existing.organization) {
      throw conflict(`${address} has not been verified by its owner's identity provider: they must sign in with a verified address first`, {
        field: 'email',
      });
    }
    if (existing) {
      const attached = await tem.nativeUpdate(
        User,
        { id: existing.id, organization: null },
        { organization: organizationId, accountRole: role },
      );
      if (attached !== 1) throw taken();
      // A signed-in person joins now: invitations sent to their address follow them (§8.1).
      if (existing.subject) await deliverInvitationsByEmail(tem, address, organizationId, existing.id);
      return tem.findOneOrFail(User, { id: existing.id }, { refresh: true });
    }
    try {
      const user = tem.create(User, { email: address, organization: organizationId, accountRole: role });
      await tem.flush();
      return user;
    } catch (error) {
      // Another organization invited the same address a moment earlier.
      if (error instanceof UniqueConstraintViolationException) throw taken();
      throw error;
    }
  });
}

/**
 * Removes a user from the organization: clears their organization, account role and network
 * roles. Removing an OWNER needs an OWNER; the last OWNER is never removed (CONFLICT).
 */
export async function removeUser(ctx: GatewayContext, caller: CallerGrant, userId: string): Promise<User> {
  const actor = caller.user;
  const organizationId = caller.organizationId!;
  const id = requireId(userId, 'User');
  return ctx.em.transactional(async (tem) => {
    await lockOrganization(tem, organizationId);
    const target = await memberOf(tem, organizationId, id);
    const decision = canRemoveUser({
      actorRole: await actorRoleNow(tem, actor.id, organizationId),
      targetRole: target.accountRole ?? AccountRole.GUEST,
      ownerCount: await countOwners(tem, organizationId),
    });
    if (!decision.allowed) throw refusal(MANAGE, decision);
    // Network roles are granted by the user's own organization, so all of them go with it; kept,
    // they would follow the person into their next organization.
    await tem.nativeDelete(NetworkRoleGrant, { user: id });
    target.organization = null;
    target.accountRole = null;
    return target;
  });
}

/** Changes a user's account role; only an OWNER grants or takes away OWNER; the last OWNER stays. */
export async function setAccountRole(ctx: GatewayContext, caller: CallerGrant, userId: string, role: AccountRole): Promise<User> {
  const actor = caller.user;
  const organizationId = caller.organizationId!;
  const id = requireId(userId, 'User');
  return ctx.em.transactional(async (tem) => {
    await lockOrganization(tem, organizationId);
    const target = await memberOf(tem, organizationId, id);
    const decision = canChangeAccountRole({
      actorRole: await actorRoleNow(tem, actor.id, organizationId),
      targetCurrentRole: target.accountRole ?? AccountRole.GUEST,
      targetNewRole: role,
      ownerCount: await countOwners(tem, organizationId),
    });
    if (!decision.allowed) throw refusal(MANAGE, decision);
    target.accountRole = role;
    return target;
  });
}
