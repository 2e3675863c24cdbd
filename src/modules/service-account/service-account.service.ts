// Machine identities of an organization (service accounts). Each change locks the organization
// row, re-reads the actor's role under that lock, asks the policy core, then changes the account
// and its user in one transaction that also records the event, addressed to the organization.
import type { GraphQLResolveInfo } from 'graphql';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, notFound, refusal } from '../../errors';
import { AccountRole, canManageServiceAccount } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { CallerGrant } from '../../graphql/grant';
import { keysetPage, type Page, type PageArgs } from '../../graphql/pagination';
import { isWellFormedText, requireId } from '../../validation';
import { EventKind } from '../event/event.entity';
import { recordEvent } from '../event/event.recorder';
import { NetworkRoleGrant } from '../network-role/network-role.entity';
import { lockOrganization } from '../organization/organization.service';
import { validName } from '../organization/organization.validation';
import { User } from '../user/user.entity';
import { ServiceAccount, ServiceAccountStatus } from './service-account.entity';
import type { RegisterServiceAccountInput } from './service-account.types';

const MANAGE = 'organization.serviceAccounts.manage';
/** As long as a token's `sub` may be (see auth/jwt.ts). */
export const MAX_CLIENT_ID_LENGTH = 255;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A client id exactly as the identity provider writes it in `sub`: never trimmed, so never silently changed. */
export function validClientId(value: unknown): string {
  const id = typeof value === 'string' ? value : '';
  const field = 'clientId';
  if (id.trim() === '') throw badInput('clientId must not be blank', { field });
  if (id.length > MAX_CLIENT_ID_LENGTH) throw badInput(`clientId must be at most ${MAX_CLIENT_ID_LENGTH} characters`, { field, max: MAX_CLIENT_ID_LENGTH });
  if (CONTROL.test(id) || !isWellFormedText(id)) throw badInput('clientId must not contain control characters', { field });
  if (id !== id.trim()) throw badInput('clientId must not begin or end with spaces', { field });
  return id;
}

async function actorRoleNow(em: EntityManager, actorId: string, organizationId: string): Promise<AccountRole | null> {
  const [row] = await em.execute<{ account_role: AccountRole | null }[]>(
    'select account_role from app_user where id = ? and organization_id = ?',
    [actorId, organizationId],
  );
  return row?.account_role ?? null;
}

const inUse = (clientId: string) =>
  conflict('This client id is already in use by a user or another service account', { field: 'clientId', clientId });

function payloadOf(account: ServiceAccount, byUserId: string): Record<string, unknown> {
  return {
    serviceAccountId: account.id,
    clientId: account.clientId,
    name: account.name,
    accountRole: account.accountRole,
    status: account.status,
    byUserId,
  };
}

async function record(em: EntityManager, kind: EventKind, account: ServiceAccount, caller: CallerGrant, organizationId: string) {
  await recordEvent(em, {
    kind,
    consortiumId: null,
    actor: { userId: caller.user.id, organizationId },
    subject: { type: 'ServiceAccount', id: account.id },
    audienceOrganizationId: organizationId,
    payload: payloadOf(account, caller.user.id),
  });
}

/** Registers a service account (OWNER, ADMIN; its role no higher than the caller's). */
export async function registerServiceAccount(ctx: GatewayContext, caller: CallerGrant, input: RegisterServiceAccountInput): Promise<ServiceAccount> {
  const organizationId = caller.organizationId!;
  const clientId = validClientId(input.clientId);
  const name = validName(input.name);
  const accountRole = input.accountRole;
  try {
    return await ctx.em.transactional(async (tem) => {
      await lockOrganization(tem, organizationId);
      const decision = canManageServiceAccount({ actorRole: await actorRoleNow(tem, caller.user.id, organizationId), accountRole });
      if (!decision.allowed) throw refusal(MANAGE, decision);
      if ((await tem.count(User, { subject: clientId })) > 0 || (await tem.count(ServiceAccount, { clientId })) > 0) throw inUse(clientId);
      // Its user: the subject of its tokens, no email (it never claims anything sent to an address).
      const user = tem.create(User, { subject: clientId, email: null, name, organization: organizationId, accountRole, emailVerified: false });
      const account = tem.create(ServiceAccount, { organization: organizationId, user, clientId, name, accountRole, createdById: caller.user.id });
      await tem.flush();
      await record(tem, EventKind.SERVICE_ACCOUNT_REGISTERED, account, caller, organizationId);
      return account;
    });
  } catch (error) {
    // Registered (or signed in with that subject) a moment earlier by another request.
    if (error instanceof UniqueConstraintViolationException) throw inUse(clientId);
    throw error;
  }
}

/** The caller's organization's account, locked; any other id is NOT_FOUND. */
async function lockAccount(em: EntityManager, organizationId: string, id: string): Promise<ServiceAccount> {
  const accountId = requireId(id, 'ServiceAccount');
  const account = await em.findOne(
    ServiceAccount,
    { id: accountId, organization: organizationId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (!account) throw notFound('ServiceAccount', id);
  return account;
}

async function change(
  ctx: GatewayContext,
  caller: CallerGrant,
  id: string,
  apply: (tem: EntityManager, account: ServiceAccount) => Promise<EventKind>,
): Promise<ServiceAccount> {
  const organizationId = caller.organizationId!;
  return ctx.em.transactional(async (tem) => {
    await lockOrganization(tem, organizationId);
    const account = await lockAccount(tem, organizationId, id);
    const decision = canManageServiceAccount({
      actorRole: await actorRoleNow(tem, caller.user.id, organizationId),
      accountRole: account.accountRole,
    });
    if (!decision.allowed) throw refusal(MANAGE, decision);
    const kind = await apply(tem, account);
    await record(tem, kind, account, caller, organizationId);
    return account;
  });
}

/** Suspends an ACTIVE account: its tokens are refused from the next request, operation or event batch. */
export function suspendServiceAccount(ctx: GatewayContext, caller: CallerGrant, id: string): Promise<ServiceAccount> {
  return change(ctx, caller, id, async (_tem, account) => {
    if (account.status === ServiceAccountStatus.SUSPENDED) throw conflict('The service account is already suspended', { status: account.status });
    account.status = ServiceAccountStatus.SUSPENDED;
    return EventKind.SERVICE_ACCOUNT_SUSPENDED;
  });
}

/** Makes a SUSPENDED account ACTIVE again. */
export function reactivateServiceAccount(ctx: GatewayContext, caller: CallerGrant, id: string): Promise<ServiceAccount> {
  return change(ctx, caller, id, async (_tem, account) => {
    if (account.status === ServiceAccountStatus.ACTIVE) throw conflict('The service account is already active', { status: account.status });
    account.status = ServiceAccountStatus.ACTIVE;
    return EventKind.SERVICE_ACCOUNT_REACTIVATED;
  });
}

/**
 * Deletes an account: its row goes, and its user leaves the organization with its network roles
 * and loses its subject, so a token for that client id is an unregistered one from now on (the
 * client id may be registered again). The user row stays, for what names it as an author.
 */
export function deleteServiceAccount(ctx: GatewayContext, caller: CallerGrant, id: string): Promise<ServiceAccount> {
  return change(ctx, caller, id, async (tem, account) => {
    const userId = account.user.id;
    await tem.nativeDelete(NetworkRoleGrant, { user: userId });
    tem.remove(account);
    await tem.flush();
    await tem.nativeUpdate(User, { id: userId }, { subject: null, organization: null, accountRole: null });
    return EventKind.SERVICE_ACCOUNT_DELETED;
  });
}

/** A page of the caller's organization's service accounts. */
export function listServiceAccounts(ctx: GatewayContext, caller: CallerGrant, args: PageArgs, info?: GraphQLResolveInfo): Promise<Page<ServiceAccount>> {
  return keysetPage(ctx, ServiceAccount, { organization: caller.organizationId! }, args, info);
}
