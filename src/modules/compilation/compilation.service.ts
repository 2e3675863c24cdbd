import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Acting } from '../../auth/acting';
import { conflictOnUnique } from '../../db/unique';
import { badInput, conflict, notFound } from '../../errors';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { requireText } from '../../validation';
import { Consortium } from '../consortium/consortium.entity';
import { lockLive } from '../environment/environment.service';
import { liveEnvironmentOrNull } from '../environment/environment.lookup';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';
import { Compilation, CompilationPromotion, CompilationStatus } from './compilation.entity';
import { compilationRunner } from './compilation.runner';
import type { CreateCompilationInput, UpdateCompilationInput } from './compilation.types';

const SUBJECT = 'Compilation';
const CONTRACT_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,99}$/;
const taken = (name: string) => `A compilation named "${name}" already exists in this consortium: edit it to make a new version`;

/** Stores a PENDING compilation and returns at once; the pool compiles it off the request path (compilation.create). */
export async function createCompilation(ctx: GatewayContext, { acting }: ConsortiumGrant, input: CreateCompilationInput): Promise<Compilation> {
  const name = requireText(input.name, 'name', 100);
  const source = requireSource(ctx, input.source);
  const contractName = optionalContractName(input.contractName);
  const compilation = await conflictOnUnique(
    () =>
      ctx.em.transactional(async (tem) => {
        const created = tem.create(Compilation, {
          consortium: tem.getReference(Consortium, acting.consortiumId),
          name, version: 1, source, contractName, status: CompilationStatus.PENDING,
          createdBy: tem.getReference(Membership, acting.membership.id),
        });
        await recordCreated(tem, acting, created);
        return created;
      }),
    taken(name),
    { field: 'name' },
  );
  compilationRunner(ctx.app).enqueue(compilation.id, acting.organizationId);
  return compilation;
}

/**
 * Edits a compilation (compilation.update). A promoted compilation never changes: editing it
 * makes a new PENDING version linked to it. Otherwise it is edited in place, and recompiled when
 * its source or contract changed.
 */
export async function updateCompilation(
  ctx: GatewayContext,
  { acting, scope }: ConsortiumGrant<Compilation>,
  input: UpdateCompilationInput,
): Promise<Compilation> {
  const found = scope.row;
  const id = found.id;
  const name = input.name === undefined || input.name === null ? undefined : requireText(input.name, 'name', 100);
  const source = input.source === undefined || input.source === null ? undefined : requireSource(ctx, input.source);
  const contractName = input.contractName === undefined ? undefined : optionalContractName(input.contractName);
  if (name === undefined && source === undefined && contractName === undefined) {
    throw badInput('Nothing to update: give source, name or contractName', { field: 'input' });
  }
  let recompile = false;
  const result = await conflictOnUnique(
    () =>
      ctx.em.transactional(async (tem) => {
        const current = await tem.findOne(Compilation, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        if (!current) throw notFound(SUBJECT, id);
        const next = {
          name: name ?? current.name,
          source: source ?? current.source,
          contractName: contractName === undefined ? (current.contractName ?? null) : contractName,
        };
        const rebuild = next.source !== current.source || next.contractName !== (current.contractName ?? null);
        if (await tem.count(CompilationPromotion, { compilation: current.id })) {
          recompile = true;
          return newVersion(tem, acting, current, next);
        }
        const edited = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== (current[k] ?? null));
        if (edited.length === 0) return current;
        const from = current.status;
        Object.assign(current, next, { updatedAt: new Date() });
        if (rebuild) {
          recompile = true;
          Object.assign(current, {
            status: CompilationStatus.PENDING, compilerVersion: null, bytecode: null, deployedBytecode: null, abi: null, errors: null,
          });
        }
        await recordEvent(tem, {
          kind: EventKind.COMPILATION_STATUS_CHANGED,
          consortiumId: current.consortium.id,
          actor: eventActor(acting),
          subject: { type: SUBJECT, id: current.id },
          payload: { name: current.name, version: current.version, from, to: current.status, edited },
        });
        return current;
      }),
    taken(name ?? found.name),
    { field: 'name' },
  );
  if (recompile) compilationRunner(ctx.app).enqueue(result.id, acting.organizationId);
  return result;
}

/** Makes a COMPILED compilation available on a live environment of its consortium (compilation.promote). */
export async function promoteCompilation(
  ctx: GatewayContext,
  { acting, scope }: ConsortiumGrant<Compilation>,
  environmentId: string,
): Promise<CompilationPromotion> {
  const found = scope.row;
  const id = found.id;
  const env = await liveEnvironmentOrNull(ctx, environmentId);
  if (!env || env.consortium.id !== found.consortium.id) throw notFound('Environment', environmentId);
  return conflictOnUnique(
    () =>
      ctx.em.transactional(async (tem) => {
        // Lock order: environment, then compilation (a delete of the environment waits for us).
        await lockLive(tem, env.id, LockMode.PESSIMISTIC_READ);
        const compilation = await tem.findOne(Compilation, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        if (!compilation) throw notFound(SUBJECT, id);
        if (compilation.status !== CompilationStatus.COMPILED) {
          throw conflict(`Only a COMPILED compilation can be promoted; this one is ${compilation.status}`, { status: compilation.status });
        }
        if (await tem.count(CompilationPromotion, { compilation: id, environment: env.id })) {
          throw conflict('This compilation is already promoted to that environment', { field: 'environmentId' });
        }
        const promotion = tem.create(CompilationPromotion, {
          compilation, environment: tem.getReference(Environment, env.id), promotedBy: tem.getReference(Membership, acting.membership.id),
        });
        await recordEvent(tem, {
          kind: EventKind.COMPILATION_PROMOTED,
          consortiumId: compilation.consortium.id,
          actor: eventActor(acting),
          subject: { type: SUBJECT, id: compilation.id },
          payload: { name: compilation.name, version: compilation.version, environmentId: env.id, promotionId: promotion.id },
        });
        return promotion;
      }),
    'This compilation is already promoted to that environment',
    { field: 'environmentId' },
  );
}

async function newVersion(
  em: EntityManager,
  acting: Acting,
  previous: Compilation,
  next: { name: string; source: string; contractName: string | null },
): Promise<Compilation> {
  const [{ max }] = await em.execute<{ max: number | null }[]>(
    'select max(version)::int as max from compilation where consortium_id = ? and name = ?',
    [previous.consortium.id, next.name],
  );
  const created = em.create(Compilation, {
    consortium: previous.consortium, name: next.name, version: (max ?? 0) + 1, previousVersion: previous,
    source: next.source, contractName: next.contractName, status: CompilationStatus.PENDING,
    createdBy: em.getReference(Membership, acting.membership.id),
  });
  await recordCreated(em, acting, created);
  return created;
}

function recordCreated(em: EntityManager, acting: Acting, c: Compilation) {
  return recordEvent(em, {
    kind: EventKind.COMPILATION_CREATED,
    consortiumId: c.consortium.id,
    actor: eventActor(acting),
    subject: { type: SUBJECT, id: c.id },
    payload: { name: c.name, version: c.version, contractName: c.contractName ?? null, previousVersionId: c.previousVersion?.id ?? null },
  });
}

/** Non-blank source within the configured size, checked before anything is stored (or compiled as a draft). */
export function requireSource(ctx: GatewayContext, source: unknown): string {
  if (typeof source !== 'string' || source.trim() === '') throw badInput('source must not be empty', { field: 'source' });
  const max = ctx.app.config.compiler.maxSourceBytes;
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > max) throw badInput(`source is ${bytes} bytes; the limit is ${max} bytes`, { field: 'source', maxBytes: max });
  return source;
}

export function optionalContractName(value: string | null | undefined): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  const name = value.trim();
  if (!CONTRACT_NAME.test(name)) throw badInput('contractName must be a Solidity identifier', { field: 'contractName' });
  return name;
}
