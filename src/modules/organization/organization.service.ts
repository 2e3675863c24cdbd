// Layer A (governance.md §2): an organization, its billing and its node licenses. Every function
// begins with its authorization check (the shield rule checked it too; the check is cheap and
// keeps a service safe when called from elsewhere), validates, then changes in one transaction.
import type { GraphQLResolveInfo } from 'graphql';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound } from '../../errors';
import { AccountRole, Plan } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { CallerGrant } from '../../graphql/grant';
import { keysetPage, type Page, type PageArgs } from '../../graphql/pagination';
import { Consortium } from '../consortium/consortium.entity';
import { deliverInvitationsByEmail } from '../membership/invitation.service';
import { countLicensesInUse } from '../node/node.usage';
import { User } from '../user/user.entity';
import { Organization } from './organization.entity';
import type { Billing, CreateOrganizationInput, UpdateBillingInput } from './organization.types';
import {
  MAX_LICENSES,
  validEmail,
  validLicenseCount,
  validName,
  validPaymentMethod,
} from './organization.validation';

/**
 * Locks the organization row (FOR UPDATE) inside a transaction and returns it fresh. Every change
 * that counts something of the organization (owners, licenses in use) takes this lock first, so
 * two such changes run one after the other. Node creation should take it before checking spare
 * licenses, so a release and a new node cannot both pass.
 */
export async function lockOrganization(em: EntityManager, id: string): Promise<Organization> {
  const org = await em.findOne(Organization, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!org) throw notFound('Organization', id);
  return org;
}

/** The caller creates an organization and becomes its OWNER; a user who has one already gets CONFLICT. */
export async function createOrganization(ctx: GatewayContext, caller: CallerGrant, input: CreateOrganizationInput): Promise<Organization> {
  const name = validName(input.name);
  const plan = input.plan ?? Plan.STANDARD;
  const alreadyMember = () =>
    conflict('You already belong to an organization; a user acts for one organization only', {
      organizationId: caller.user.organizationId ?? undefined,
    });
  if (caller.user.organizationId) throw alreadyMember();
  // The caller's row, as the principal statement read it (no statement).
  const user = ctx.callerEntity() ?? (await ctx.em.findOneOrFail(User, { id: caller.user.id }));
  const created = await ctx.em.transactional(async (tem) => {
    const org = tem.create(Organization, { name, plan });
    await tem.flush();
    // Conditional: of two racing requests of one user, only one finds organization still null.
    const joined = await tem.nativeUpdate(
      User,
      { id: user.id, organization: null },
      { organization: org.id, accountRole: AccountRole.OWNER },
    );
    if (joined !== 1) throw alreadyMember();
    // §8.1: invitations sent to the founder's verified address now go to their organization.
    if (user.emailVerified && user.email) await deliverInvitationsByEmail(tem, user.email, org.id, user.id);
    return org;
  });
  // The caller's entity as it is now (the resolver decides the rest of the request with it).
  await ctx.em.refresh(user);
  return created;
}

/** The caller's own organization (its rule refuses any other id as NOT_FOUND). */
export async function getOrganization(ctx: GatewayContext, id: string): Promise<Organization> {
  return ctx.loaders.required(Organization, id);
}

/** Renames the caller's organization (OWNER or ADMIN). */
export async function renameOrganization(ctx: GatewayContext, id: string, name: string): Promise<Organization> {
  const newName = validName(name);
  return ctx.em.transactional(async (tem) => {
    const org = await lockOrganization(tem, id);
    org.name = newName;
    return org;
  });
}

/** Billing contact, masked payment method and plan (OWNER only; a plan change is a billing act). */
export async function updateBilling(ctx: GatewayContext, id: string, input: UpdateBillingInput): Promise<Organization> {
  const contact = input.contact == null ? undefined : validEmail(input.contact, 'contact');
  const paymentMethod = input.paymentMethod == null ? undefined : validPaymentMethod(input.paymentMethod);
  const plan = input.plan ?? undefined;
  return ctx.em.transactional(async (tem) => {
    const org = await lockOrganization(tem, id);
    if (contact !== undefined) org.billingContact = contact;
    if (paymentMethod !== undefined) org.paymentMethod = paymentMethod;
    if (plan !== undefined) org.plan = plan;
    return org;
  });
}

/** Buys `count` node licenses (OWNER or ADMIN). */
export async function purchaseLicenses(ctx: GatewayContext, id: string, count: number): Promise<Organization> {
  const n = validLicenseCount(count);
  return ctx.em.transactional(async (tem) => {
    const org = await lockOrganization(tem, id);
    if (org.licenses + n > MAX_LICENSES) {
      throw conflict(`An organization holds at most ${MAX_LICENSES} licenses; it holds ${org.licenses}`, {
        licenses: org.licenses,
        max: MAX_LICENSES,
      });
    }
    org.licenses += n;
    return org;
  });
}

/** Releases `count` licenses (OWNER or ADMIN); never below the number used by running nodes. */
export async function releaseLicenses(ctx: GatewayContext, id: string, count: number): Promise<Organization> {
  const n = validLicenseCount(count);
  return ctx.em.transactional(async (tem) => {
    const org = await lockOrganization(tem, id);
    const inUse = (await countLicensesInUse(tem, [id])).get(id) ?? 0;
    const releasable = Math.max(0, org.licenses - inUse);
    if (n > releasable) {
      throw conflict(
        `Cannot release ${n} licenses: ${inUse} of the organization's ${org.licenses} licenses are in use by running nodes, so at most ${releasable} can be released`,
        { inUse, licenses: org.licenses, releasable },
      );
    }
    org.licenses -= n;
    return org;
  });
}

/** Payment details of the caller's own organization. */
export function billingOf(ctx: GatewayContext, org: Organization): Billing {
  return { contact: org.billingContact ?? null, paymentMethod: org.paymentMethod ?? null };
}

/**
 * A page of the organization's users, pending email invitations included. No loader: the rule
 * lets only the caller's own organization through, so there is one parent per field at most.
 */
export function listUsers(ctx: GatewayContext, org: Organization, args: PageArgs, info?: GraphQLResolveInfo): Promise<Page<User>> {
  return keysetPage(ctx, User, { organization: org.id }, args, info);
}

/** Licenses used by RUNNING nodes of the organization's memberships (batched per request). */
export async function licensesInUse(ctx: GatewayContext, org: Organization): Promise<number> {
  const loader = ctx.loaders.custom<string, number>('Organization.licensesInUse', async (ids) => {
    const counts = await countLicensesInUse(ctx.em, ids);
    return ids.map((id) => counts.get(id) ?? 0);
  });
  return loader.load(org.id);
}

/**
 * Consortia the organization belongs to (an ACTIVE or FROZEN membership, consortium not deleted).
 * Whoever lacks `organization.consortia.list` (a GUEST) sees only those where they hold a network
 * role: the grid's N denies the full list, not the field.
 */
export async function consortiaOf(ctx: GatewayContext, ids: string[]): Promise<Consortium[]> {
  const consortia = await ctx.loaders.byId(Consortium).loadMany(ids);
  return consortia.filter((c): c is Consortium => Boolean(c) && !(c instanceof Error) && !(c as Consortium).deletedAt);
}
