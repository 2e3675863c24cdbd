import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, forbidden, notFound, refusal } from '../../errors';
import { canExpandNode, expansion, hasSignerSlot, hasSpareLicenses, licensesOf, MembershipStatus, NodeSize } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { requireText } from '../../validation';
import type { Environment } from '../environment/environment.entity';
import { lockLive, runningSigners } from '../environment/environment.service';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { Membership } from '../membership/membership.entity';
import { Organization } from '../organization/organization.entity';
import { licensesInUseOf } from './node.usage';
import { Node, NodeRole, NodeStatus } from './node.entity';
import type { CreateNodeInput, NodeInEnvironment } from './node.types';

const SUBJECT = 'Node';

/**
 * Adds a node owned by the acting membership (node.create, or node.createSigner for a SIGNER).
 * It takes the licenses of its size (1, 2 or 4) of the membership's organization and, for a
 * signer, one signer slot.
 * Lock order, everywhere: organization row, then environment row. Racing requests for the last
 * license or the last slot are serialized by these locks: exactly one wins.
 */
export async function createNode(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Environment>, input: CreateNodeInput): Promise<Node> {
  const found = scope.row;
  const name = requireText(input.name, 'name', 100);
  const size = input.size ?? NodeSize.SMALL;
  const membershipId = acting.membership.id;

  return ctx.em.transactional(async (tem) => {
    const org = await tem.findOne(Organization, acting.organizationId, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!org) throw notFound('Organization', acting.organizationId);
    const env = await lockLive(tem, found.id);
    // A leave or freeze that committed after the authorization check must not gain a RUNNING
    // node; FOR SHARE makes a concurrent one wait for us (and then stop this node too).
    const [seat] = await tem.execute<{ status: string }[]>('select status from membership where id = ? for share', [membershipId]);
    if (seat?.status !== MembershipStatus.ACTIVE) throw forbidden('This membership is no longer active: it may not add nodes');
    const inUse = await licensesInUseOf(tem, org.id);
    const license = hasSpareLicenses({ licenses: org.licenses, inUse, needed: licensesOf(size) });
    if (!license.allowed) {
      throw refusal(input.role === NodeRole.SIGNER ? 'node.createSigner' : 'node.create', license, {
        code: 'LICENSE_EXHAUSTED',
        details: { licenses: org.licenses, inUse, needed: licensesOf(size) },
      });
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
      size,
      status: NodeStatus.RUNNING,
    });
    await recordEvent(tem, {
      kind: EventKind.NODE_CREATED,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: node.id },
      payload: { environmentId: env.id, name, role: input.role, size, membershipId },
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
      payload: { environmentId: env.id, name: node.name, role: node.role, size: node.size, membershipId: node.membership.id },
    });
    return node;
  });
}

/**
 * Gives an own node a larger size (node.expand, §8.2): it takes the difference in licenses of its
 * organization, re-checked in the same transaction and under the same locks as createNode (the
 * organization row, then the environment row), so racing creations and expansions for the last
 * licenses are serialized: exactly the ones that fit win.
 */
export async function expandNode(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<NodeInEnvironment>, size: NodeSize): Promise<Node> {
  const { node: found, environment } = scope.row;
  return ctx.em.transactional(async (tem) => {
    const org = await tem.findOne(Organization, acting.organizationId, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!org) throw notFound('Organization', acting.organizationId);
    await lockLive(tem, environment.id);
    const [row] = await tem.execute<{ size: NodeSize; status: NodeStatus; organization_id: string; membership_status: string }[]>(
      `select n.size, n.status, m.organization_id, m.status as membership_status
         from node n join membership m on m.id = n.membership_id where n.id = ? for update of n`,
      [found.id],
    );
    if (!row) throw notFound(SUBJECT, found.id);
    const grown = expansion(row.size, size);
    if (!grown.ok) throw badInput(grown.reason, { field: 'size', from: row.size, to: size });
    if (row.status !== NodeStatus.RUNNING) throw conflict(`The node is ${row.status}: only a running node is expanded`, { status: row.status });
    if (row.membership_status !== MembershipStatus.ACTIVE) throw forbidden("The node's membership is no longer active: it may not expand nodes");
    const inUse = await licensesInUseOf(tem, org.id);
    const decision = canExpandNode({
      actingOrganizationId: org.id,
      nodeOrganizationId: row.organization_id,
      additionalLicenses: grown.additionalLicenses,
      licenses: org.licenses,
      inUse,
    });
    if (!decision.allowed) {
      throw refusal('node.expand', decision, {
        code: 'LICENSE_EXHAUSTED',
        details: { licenses: org.licenses, inUse, needed: grown.additionalLicenses },
      });
    }
    await tem.nativeUpdate(Node, { id: found.id }, { size: size });
    const node = await tem.findOneOrFail(Node, found.id, { refresh: true });
    await recordEvent(tem, {
      kind: EventKind.NODE_EXPANDED,
      consortiumId: environment.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: node.id },
      payload: {
        environmentId: environment.id, name: node.name, role: node.role, size: size, membershipId: node.membership.id,
        from: row.size, to: size, additionalLicenses: grown.additionalLicenses,
      },
    });
    return node;
  });
}


