import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, notFound } from '../../errors';
import { conflictOnUnique } from '../../db/unique';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { requireText } from '../../validation';
import { createCertificateAuthority, encryptPrivateKey } from '../certificate/ca';
import { caKey } from '../certificate/ca-key';
import { Certificate, CertificateStatus } from '../certificate/certificate.entity';
import { Consortium } from '../consortium/consortium.entity';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { Membership } from '../membership/membership.entity';
import { Node, NodeRole, NodeStatus } from '../node/node.entity';
import { chainIdFor, validateEnvironmentSpec, validateUpgrade } from './catalog';
import { Environment, EnvironmentStatus } from './environment.entity';
import type { CreateEnvironmentInput, EnvironmentSecurity, EnvironmentSecurityInput, UpdateEnvironmentInput } from './environment.types';
import { parseAllowList, parseTlsPolicy } from './security-policy';

/** "<name> CA" must fit X.520's 64-character common name. */
const MAX_ENVIRONMENT_NAME = 60;
const X520_MAX = 64;
const SUBJECT = 'Environment';

/** Creates an environment with its own certificate authority (environment.create). */
export async function createEnvironment(ctx: GatewayContext, { acting }: ConsortiumGrant, input: CreateEnvironmentInput): Promise<Environment> {
  const name = requireText(input.name, 'name', MAX_ENVIRONMENT_NAME);
  const spec = validateEnvironmentSpec(input);
  if (!spec.ok) throw badInput(spec.reason, { field: spec.field });
  const consortium = await ctx.em.findOneOrFail(Consortium, acting.consortiumId);
  await requireFreeName(ctx.em, acting.consortiumId, name);

  const env = new Environment();
  // The CA is made before the transaction: key generation need not hold a connection.
  const ca = await createCertificateAuthority({
    commonName: `${name} CA`,
    organization: consortium.name.trim().slice(0, X520_MAX),
  });
  Object.assign(env, {
    consortium: ctx.em.getReference(Consortium, consortium.id),
    name,
    client: input.client,
    consensus: input.consensus,
    release: spec.release,
    maxSigners: input.maxSigners ?? null,
    chainId: String(chainIdFor(env.id)),
    caCertificatePem: ca.certificatePem,
    caPrivateKeyEncrypted: encryptPrivateKey(ca.privateKeyPkcs8, await caKey(ctx.app)),
    createdBy: ctx.em.getReference(Membership, acting.membership.id),
  });
  ca.privateKeyPkcs8.fill(0);
  await conflictOnUnique(
    () =>
      ctx.em.transactional(async (tem) => {
        tem.persist(env);
        await recordEvent(tem, {
          kind: EventKind.ENVIRONMENT_CREATED,
          consortiumId: consortium.id,
          actor: eventActor(acting),
          subject: { type: SUBJECT, id: env.id },
          payload: {
            name, client: env.client, consensus: env.consensus, release: env.release,
            maxSigners: env.maxSigners ?? null, chainId: env.chainId,
          },
        });
      }),
    `An environment named "${name}" already exists in this consortium`,
    { field: 'name' },
  );
  return env;
}

/** Renames an environment or changes its signer limit (environment.update). */
export async function updateEnvironment(
  ctx: GatewayContext,
  { acting, scope }: ConsortiumGrant<Environment>,
  input: UpdateEnvironmentInput,
): Promise<Environment> {
  const found = scope.row;
  const id = found.id;
  const name = input.name === undefined || input.name === null ? undefined : requireText(input.name, 'name', MAX_ENVIRONMENT_NAME);
  const limitGiven = input.maxSigners !== undefined;
  if (limitGiven && input.maxSigners !== null) {
    const check = validateEnvironmentSpec({ client: found.client, consensus: found.consensus, maxSigners: input.maxSigners });
    if (!check.ok) throw badInput(check.reason, { field: check.field });
  }
  if (name === undefined && !limitGiven) throw badInput('Nothing to update: give name or maxSigners', { field: 'input' });

  return conflictOnUnique(
    () =>
      ctx.em.transactional(async (tem) => {
        const env = await lockLive(tem, id);
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        if (name !== undefined && name !== env.name) {
          await requireFreeName(tem, env.consortium.id, name);
          changes.name = { from: env.name, to: name };
        }
        const limit = limitGiven ? (input.maxSigners ?? null) : undefined;
        if (limit !== undefined && limit !== (env.maxSigners ?? null)) {
          if (limit !== null) {
            const signers = await runningSigners(tem, env.id);
            if (signers > limit) {
              throw conflict(`The environment runs ${signers} signer nodes: maxSigners cannot be lowered to ${limit}`, {
                field: 'maxSigners', signers,
              });
            }
          }
          changes.maxSigners = { from: env.maxSigners ?? null, to: limit };
        }
        if (Object.keys(changes).length === 0) return env;
        if (changes.name) env.name = name!;
        if (changes.maxSigners) env.maxSigners = limit;
        env.updatedAt = new Date();
        await recordEvent(tem, {
          kind: EventKind.ENVIRONMENT_UPDATED,
          consortiumId: env.consortium.id,
          actor: eventActor(acting),
          subject: { type: SUBJECT, id: env.id },
          payload: changes,
        });
        return env;
      }),
    `An environment named "${name}" already exists in this consortium`,
    { field: 'name' },
  );
}

/** An environment's allow-list and TLS policy, as the API shows them. */
export function securityOf(env: Environment): EnvironmentSecurity {
  return {
    allowList: [...env.allowList],
    tls: { minVersion: env.tlsMinVersion, requireClientCertificate: env.tlsRequireClientCertificate },
  };
}

/**
 * §8.2 security editing (environment.security.update, decided by account role alone): replaces
 * the allow-list (every range checked, stored canonical, deduplicated and sorted) and the TLS
 * policy. An unchanged setting records nothing.
 */
export async function updateEnvironmentSecurity(
  ctx: GatewayContext,
  { acting, scope }: ConsortiumGrant<Environment>,
  input: EnvironmentSecurityInput,
): Promise<Environment> {
  const allowList = parseAllowList(input.allowList, 'allowList').map((r) => r.cidr);
  const tls = parseTlsPolicy({ minVersion: input.tls?.minVersion ?? undefined, requireClientCertificate: input.tls?.requireClientCertificate ?? undefined }, 'tls');
  return ctx.em.transactional(async (tem) => {
    const env = await lockLive(tem, scope.row.id);
    const before = securityOf(env);
    const same =
      before.allowList.join(',') === allowList.join(',') &&
      before.tls.minVersion === tls.minVersion &&
      before.tls.requireClientCertificate === tls.requireClientCertificate;
    if (same) return env;
    env.allowList = allowList;
    env.tlsMinVersion = tls.minVersion;
    env.tlsRequireClientCertificate = tls.requireClientCertificate;
    env.updatedAt = new Date();
    await recordEvent(tem, {
      kind: EventKind.ENVIRONMENT_SECURITY_UPDATED,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: env.id },
      payload: {
        allowList, previousAllowList: before.allowList, tlsMinVersion: tls.minVersion, previousTlsMinVersion: before.tls.minVersion,
        requireClientCertificate: tls.requireClientCertificate,
      },
    });
    return env;
  });
}

/** Upgrades to a strictly newer catalog release of the same client (environment.update). */
export async function upgradeEnvironment(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Environment>, release: string): Promise<Environment> {
  const id = scope.row.id;
  return ctx.em.transactional(async (tem) => {
    const env = await lockLive(tem, id);
    const check = validateUpgrade(env.client, env.release, release);
    if (!check.ok) throw badInput(check.reason, { field: check.field });
    const from = env.release;
    env.release = check.release;
    env.updatedAt = new Date();
    await recordEvent(tem, {
      kind: EventKind.ENVIRONMENT_UPDATED,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: env.id },
      payload: { release: { from, to: check.release } },
    });
    return env;
  });
}

/**
 * Deletes an environment (environment.delete): it disappears from queries, its nodes are
 * removed (which frees their licenses) and its certificates are revoked; its events stay.
 */
export async function deleteEnvironment(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Environment>): Promise<Environment> {
  const id = scope.row.id;
  return ctx.em.transactional(async (tem) => {
    const env = await lockLive(tem, id);
    env.status = EnvironmentStatus.DELETED;
    env.updatedAt = new Date();
    const nodesRemoved = await tem.nativeDelete(Node, { environment: env.id });
    const certificatesRevoked = await tem.nativeUpdate(
      Certificate,
      { environment: env.id, status: CertificateStatus.ACTIVE },
      { status: CertificateStatus.REVOKED, revokedAt: new Date() },
    );
    await recordEvent(tem, {
      kind: EventKind.ENVIRONMENT_DELETED,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: env.id },
      payload: { name: env.name, nodesRemoved, certificatesRevoked },
    });
    return env;
  });
}

/** Locks the environment row for the rest of the transaction; NOT_FOUND once it is deleted. */
export async function lockLive(em: EntityManager, id: string, mode = LockMode.PESSIMISTIC_WRITE): Promise<Environment> {
  const env = await em.findOne(Environment, id, { lockMode: mode, refresh: true });
  if (!env || env.status !== EnvironmentStatus.LIVE) throw notFound('Environment', id);
  return env;
}

/** Signer nodes that currently run in an environment. */
export function runningSigners(em: EntityManager, environmentId: string): Promise<number> {
  return em.count(Node, { environment: environmentId, role: NodeRole.SIGNER, status: NodeStatus.RUNNING });
}

async function requireFreeName(em: EntityManager, consortiumId: string, name: string): Promise<void> {
  const taken = await em.count(Environment, { consortium: consortiumId, name, status: { $ne: EnvironmentStatus.DELETED } });
  if (taken > 0) throw conflict(`An environment named "${name}" already exists in this consortium`, { field: 'name' });
}
