// Network roles (Layer B input): granted and revoked by an OWNER or ADMIN of the user's own
// organization, for a consortium that organization belongs to (§3). One role per user and
// consortium; Authz reads them on every request, so a change applies to the next one.
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound, refusal } from '../../errors';
import { canChangeNetworkRole, type NetworkRole } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { CallerGrant } from '../../graphql/grant';
import { requireId } from '../../validation';
import { Consortium } from '../consortium/consortium.entity';
import { EventKind } from '../event/event.entity';
import { recordEvent } from '../event/event.recorder';
import { User } from '../user/user.entity';
import { NetworkRoleGrant } from './network-role.entity';
import type { GrantNetworkRoleInput } from './network-role.types';

interface Target {
  userId: string;
  consortiumId: string;
  /** The caller's organization: the target user must belong to it. */
  organizationId: string;
}

/**
 * Checks and locks both ends inside the transaction: the user row (no-key lock, so grants to one
 * user serialize without blocking foreign keys to it) and the consortium row against a delete.
 */
async function lockTarget(em: EntityManager, t: Target): Promise<void> {
  const users = await em.execute('select id from app_user where id = ? and organization_id = ? for no key update', [
    t.userId,
    t.organizationId,
  ]);
  if (users.length === 0) throw notFound('User', t.userId);
  const consortia = await em.execute('select id from consortium where id = ? and deleted_at is null for share', [t.consortiumId]);
  if (consortia.length === 0) throw notFound('Consortium', t.consortiumId);
}

/** The target of a grant or revoke, for a caller the rule allowed (organization.users.manage, consortium visible). */
function target(caller: CallerGrant, userId: string, consortiumId: string): Target & { actorId: string } {
  return { userId: requireId(userId, 'User'), consortiumId, organizationId: caller.organizationId!, actorId: caller.user.id };
}

/** The integrity rule of §8.1: only an account OWNER grants or takes away network role OWNER. */
function requireChange(caller: CallerGrant, currentRole: NetworkRole | null, newRole: NetworkRole | null): void {
  const decision = canChangeNetworkRole({ actorRole: caller.accountRole, currentRole, newRole });
  if (!decision.allowed) throw refusal('change this network role', decision);
}

/** Gives a user of the caller's organization a network role in a consortium, replacing any other. */
export async function grantNetworkRole(ctx: GatewayContext, caller: CallerGrant, input: GrantNetworkRoleInput): Promise<NetworkRoleGrant> {
  const t = target(caller, input.userId, input.consortiumId);
  return ctx.em.transactional(async (em) => {
    await lockTarget(em, t);
    const existing = await em.findOne(NetworkRoleGrant, { user: t.userId, consortium: t.consortiumId });
    requireChange(caller, existing?.role ?? null, input.role);
    if (existing?.role === input.role) return existing;
    const previousRole = existing?.role ?? null;
    const grant =
      existing ??
      em.create(NetworkRoleGrant, {
        user: em.getReference(User, t.userId),
        consortium: em.getReference(Consortium, t.consortiumId),
        role: input.role,
      });
    grant.role = input.role;
    await recordEvent(em, {
      kind: EventKind.NETWORK_ROLE_GRANTED,
      consortiumId: t.consortiumId,
      actor: { userId: t.actorId, organizationId: t.organizationId },
      subject: { type: 'User', id: t.userId },
      audienceOrganizationId: t.organizationId,
      payload: { role: input.role, previousRole },
    });
    return grant;
  });
}

/** Takes a user's network role in a consortium away; NOT_FOUND when they hold none. */
export async function revokeNetworkRole(ctx: GatewayContext, caller: CallerGrant, userId: string, consortiumId: string): Promise<boolean> {
  const t = target(caller, userId, consortiumId);
  return ctx.em.transactional(async (em) => {
    await lockTarget(em, t);
    const existing = await em.findOne(NetworkRoleGrant, { user: t.userId, consortium: t.consortiumId });
    if (!existing) throw notFound('Network role of user', t.userId);
    requireChange(caller, existing.role, null);
    em.remove(existing);
    await recordEvent(em, {
      kind: EventKind.NETWORK_ROLE_REVOKED,
      consortiumId: t.consortiumId,
      actor: { userId: t.actorId, organizationId: t.organizationId },
      subject: { type: 'User', id: t.userId },
      audienceOrganizationId: t.organizationId,
      payload: { role: existing.role },
    });
    return true;
  });
}
