// Consortium lifecycle: create (Layer A), view, list, update, delete (Layer C). Each method receives
// what its field's rule decided, then changes and records its event in one transaction.
import type { GraphQLResolveInfo } from 'graphql';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, notFound } from '../../errors';
import { ALL_PERMISSIONS, ConsortiumRole, MembershipStatus, NetworkRole } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import { now } from '../../graphql/loaders';
import type { CallerGrant, ConsortiumGrant } from '../../graphql/grant';
import { keysetPage, type Page, type PageArgs } from '../../graphql/pagination';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { Membership } from '../membership/membership.entity';
import { NetworkRoleGrant } from '../network-role/network-role.entity';
import { Organization } from '../organization/organization.entity';
import { validName } from '../organization/organization.validation';
import { User } from '../user/user.entity';
import { Consortium } from './consortium.entity';
import { DESCRIPTION_MAX, type CreateConsortiumInput, type UpdateConsortiumInput } from './consortium.types';
import { stopRunningNodes } from '../node/node.usage';

const CURRENT = [MembershipStatus.ACTIVE, MembershipStatus.FROZEN];

function validDescription(value: string | null | undefined): string {
  const text = (value ?? '').trim();
  if (text.length > DESCRIPTION_MAX) {
    throw badInput(`description must be at most ${DESCRIPTION_MAX} characters`, { field: 'description', max: DESCRIPTION_MAX });
  }
  return text;
}

/** The consortium row, locked for the rest of the transaction; deleted counts as missing. */
async function lockLive(em: EntityManager, id: string): Promise<Consortium> {
  const consortium = await em.findOne(Consortium, { id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!consortium) throw notFound('Consortium', id);
  return consortium;
}

/**
 * Creates a consortium: the caller's organization gets an ADMINISTRATOR membership holding all
 * four permissions, and the caller network role OWNER in it (§6).
 */
export async function createConsortium(ctx: GatewayContext, caller: CallerGrant, input: CreateConsortiumInput): Promise<Consortium> {
  const user = caller.user;
  // consortium.create allows only OWNER and ADMIN of an organization, so there is one.
  const organizationId = caller.organizationId!;
  const name = validName(input.name);
  const description = validDescription(input.description);
  const membershipName = input.membershipName == null ? null : validName(input.membershipName, 'membershipName');
  return ctx.em.transactional(async (em) => {
    const organization = await em.findOneOrFail(Organization, organizationId);
    const consortium = em.create(Consortium, { name, description, creatorOrganization: organization });
    const membership = em.create(Membership, {
      consortium,
      organization,
      displayName: membershipName ?? organization.name,
      role: ConsortiumRole.ADMINISTRATOR,
      permissions: [...ALL_PERMISSIONS],
      status: MembershipStatus.ACTIVE,
    });
    em.create(NetworkRoleGrant, { user: em.getReference(User, user.id), consortium, role: NetworkRole.OWNER });
    await recordEvent(em, {
      kind: EventKind.CONSORTIUM_CREATED,
      consortiumId: consortium.id,
      actor: { userId: user.id, organizationId, membershipId: membership.id },
      subject: { type: 'Consortium', id: consortium.id },
      payload: { name, description, membershipId: membership.id, displayName: membership.displayName },
    });
    return consortium;
  });
}

/** One consortium the caller may see; NOT_FOUND otherwise, as for an unknown id. */
export async function getConsortium(ctx: GatewayContext, { acting }: ConsortiumGrant): Promise<Consortium> {
  return liveConsortium(ctx, acting.consortiumId);
}

/**
 * A consortium as queries show it, from the request's rows: NOT_FOUND, as for an unknown id,
 * once it is deleted (deleted things disappear from queries). Relations that lead to a
 * consortium (a membership's, a network role's) answer through it.
 */
export function liveConsortium(ctx: Pick<GatewayContext, 'loaders'>, id: string): Consortium | Promise<Consortium> {
  return now(ctx.loaders.required(Consortium, id), (consortium) => {
    if (consortium.deletedAt) throw notFound('Consortium', id);
    return consortium;
  });
}

/** What an invitee or an applicant, not (yet) a member, may know of a consortium: its id and name. */
export function consortiumSummary(ctx: Pick<GatewayContext, 'loaders'>, id: string): { id: string; name: string } | Promise<{ id: string; name: string }> {
  return now(ctx.loaders.row(Consortium, id), (consortium) => ({ id, name: consortium?.name ?? '' }));
}

/**
 * The caller's consortia: those where their organization holds an ACTIVE or FROZEN membership.
 * A user without organization.consortia.list (a GUEST) sees only those where they hold a network role.
 */
export async function listConsortia(ctx: GatewayContext, ids: string[], args: PageArgs, info?: GraphQLResolveInfo): Promise<Page<Consortium>> {
  const page = await keysetPage(ctx, Consortium, { id: { $in: ids }, deletedAt: null }, args, info);
  // Nested fields (a membership's consortium) find these rows without another statement.
  ctx.loaders.primeById(Consortium, page.nodes);
  return page;
}

/** Renames or redescribes a consortium (consortium.update); an unchanged value writes no event. */
export async function updateConsortium(ctx: GatewayContext, { acting }: ConsortiumGrant, input: UpdateConsortiumInput): Promise<Consortium> {
  const id = acting.consortiumId;
  const name = input.name == null ? undefined : validName(input.name);
  const description = input.description == null ? undefined : validDescription(input.description);
  if (name === undefined && description === undefined) {
    throw badInput('Nothing to update: give a name or a description', { field: 'input' });
  }
  return ctx.em.transactional(async (em) => {
    const consortium = await lockLive(em, id);
    const changed: Record<string, { from: string; to: string }> = {};
    if (name !== undefined && name !== consortium.name) changed.name = { from: consortium.name, to: name };
    if (description !== undefined && description !== consortium.description) {
      changed.description = { from: consortium.description, to: description };
    }
    if (Object.keys(changed).length === 0) return consortium;
    if (changed.name) consortium.name = name!;
    if (changed.description) consortium.description = description!;
    await recordEvent(em, {
      kind: EventKind.CONSORTIUM_UPDATED,
      consortiumId: id,
      actor: eventActor(acting),
      subject: { type: 'Consortium', id },
      payload: { changed },
    });
    return consortium;
  });
}

/**
 * Soft-deletes a consortium (consortium.delete) when no other organization holds a current
 * membership; its running nodes stop, so their licenses are free again. Its events stay.
 */
export async function deleteConsortium(ctx: GatewayContext, { acting }: ConsortiumGrant): Promise<string> {
  const id = acting.consortiumId;
  return ctx.em.transactional(async (em) => {
    // The row lock also waits out (and then refuses) workflows that add a membership meanwhile,
    // provided they read the consortium with a share lock before inserting.
    const consortium = await lockLive(em, id);
    const [{ others }] = await em.execute<{ others: string }[]>(
      `select count(distinct organization_id) as others from membership
        where consortium_id = ? and organization_id <> ? and status in (?, ?)`,
      [id, acting.organizationId, ...CURRENT],
    );
    if (Number(others) > 0) {
      throw conflict(`The consortium cannot be deleted while ${others} other organization(s) hold a membership in it`, {
        otherOrganizations: Number(others),
      });
    }
    consortium.deletedAt = new Date();
    const stopped = await stopRunningNodes(em, { consortiumId: id });
    await recordEvent(em, {
      kind: EventKind.CONSORTIUM_DELETED,
      consortiumId: id,
      actor: eventActor(acting),
      subject: { type: 'Consortium', id },
      payload: { name: consortium.name, nodesStopped: stopped.length },
    });
    return id;
  });
}
