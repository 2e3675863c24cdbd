import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, conflict, forbidden, notFound } from '../../errors';
import { hasSignerSlot, hasSpareLicense, MembershipStatus } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { requireText } from '../../validation';
import type { Environment } from '../environment/environment.entity';
import { lockLive, runningSigners } from '../environment/environment.service';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { Membership } from '../membership/membership.entity';
import { Organization } from '../organization/organization.entity';
import { Node, NodeRole, NodeStatus } from './node.entity';
import type { CreateNodeInput, NodeInEnvironment } from './node.types';

const SUBJECT = 'Node';

/**
 * Adds a node owned by the acting membership (node.create, or node.createSigner for a SIGNER).
 * It takes one license of the membership's organization and, for a signer, one signer slot.
 * Lock order, everywhere: organization row, then environment row. Racing requests for the last
 * license or the last slot are serialized by these locks: exactly one wins.
 */
export async function createNode(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Environment>, input: CreateNodeInput): Promise<Node> {
  const found = scope.row;
  const name = requireText(input.name, 'name', 100);
  const membershipId = acting.membership.id;

  return ctx.em.transactional(async (tem) => {
    const org = await tem.findOne(Organization, acting.organizationId, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!org) throw notFound('Organization', acting.organizationId);
    const env = await lockLive(tem, found.id);
    // A leave or freeze that committed after the authorization check must not gain a RUNNING
    // node; FOR SHARE makes a concurrent one wait for us (and then stop this node too).
    const [seat] = await tem.execute<{ status: string }[]>('select status from membership where id = ? for share', [membershipId]);
    if (seat?.status !== MembershipStatus.ACTIVE) throw forbidden('This membership is no longer active: it may not add nodes');
    const inUse = await runningNodesOf(tem, org.id);
    const license = hasSpareLicense({ licenses: org.licenses, inUse });
    if (!license.allowed) {
      throw new AppError('LICENSE_EXHAUSTED', `Your organization has ${license.reason}`, { licenses: org.licenses, inUse });
    }
    if (input.role === NodeRole.SIGNER) {
      const maxSigners = env.maxSigners ?? null;
      const signers = maxSigners === null ? 0 : await runningSigners(tem, env.id);
      const slot = hasSignerSlot({ maxSigners, signers });
      if (!slot.allowed) throw conflict(`The ${slot.reason}`, { field: 'role', maxSigners, signers });
    }
    const node = tem.create(Node, {
      environment: env,
      membership: tem.getReference(Membership, membershipId),
      name,
      role: input.role,
      status: NodeStatus.RUNNING,
    });
    await recordEvent(tem, {
      kind: EventKind.NODE_CREATED,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: node.id },
      payload: { environmentId: env.id, name, role: input.role, membershipId },
    });
    return node;
  });
}

/** Removes a node and frees its license (node.delete: a MEMBER only its own membership's nodes). */
export async function deleteNode(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<NodeInEnvironment>): Promise<Node> {
  const { node, environment: env } = scope.row;
  const id = node.id;
  return ctx.em.transactional(async (tem) => {
    const removed = await tem.nativeDelete(Node, { id: node.id });
    // A concurrent delete (of the node or of its environment) got there first.
    if (removed !== 1) throw notFound(SUBJECT, id);
    await recordEvent(tem, {
      kind: EventKind.NODE_DELETED,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: node.id },
      payload: { environmentId: env.id, name: node.name, role: node.role, membershipId: node.membership.id },
    });
    return node;
  });
}

/** RUNNING nodes of every membership of an organization, in every consortium: its licenses in use. */
export async function runningNodesOf(em: EntityManager, organizationId: string): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from node n join membership m on m.id = n.membership_id
      where m.organization_id = ? and n.status = ?`,
    [organizationId, NodeStatus.RUNNING],
  );
  return row.n;
}
