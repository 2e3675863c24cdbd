import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, notFound, refusal } from '../../errors';
import {
  addressAfterRotation, ChainAccountOperation, ChainAccountStatus, decideChainAccountOperation, effectiveAccountStatus, MembershipStatus,
} from '../../governance';
import { conflictOnUnique } from '../../db/unique';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import type { Acting } from '../../auth/acting';
import { ALLOWS_RECOVERY_KEY } from '../environment/catalog';
import type { Environment } from '../environment/environment.entity';
import { lockLive } from '../environment/environment.service';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { Membership } from '../membership/membership.entity';
import { ChainAccount } from './chain-account.entity';
import type { ChainAccountInEnvironment, CreateChainAccountInput, RotateChainAccountKeyInput } from './chain-account.types';
import { evmAddress, parsePublicKey, type PublicKey } from './keys';

const SUBJECT = 'ChainAccount';

/** A checked key and its address: every client of the catalog is an EVM client (secp256k1 keys). */
function keyAndAddress(curve: unknown, publicKey: unknown): { key: PublicKey; address: string } {
  const key = parsePublicKey(curve, publicKey);
  return { key, address: evmAddress(key) };
}

const publicKeyOf = (key: PublicKey) => `0x${key.hex}`;

/** The owning organization's id of each account's membership, and the audience of its events. */
async function ownerOrganizationId(em: EntityManager, membershipId: string): Promise<string | null> {
  const [row] = await em.execute<{ organization_id: string }[]>('select organization_id from membership where id = ?', [membershipId]);
  return row?.organization_id ?? null;
}

/** The acting membership must still be ACTIVE when the change commits (a freeze or leave may have committed since the decision). */
async function requireStillActive(em: EntityManager, membershipId: string): Promise<void> {
  const [seat] = await em.execute<{ status: string }[]>('select status from membership where id = ? for share', [membershipId]);
  if (seat?.status !== MembershipStatus.ACTIVE) throw forbidden('This membership is no longer active: it may not manage chain accounts');
}

function decide(operation: ChainAccountOperation, acting: Acting, account: ChainAccount): void {
  const decision = decideChainAccountOperation(operation, acting.membership, {
    ownerMembershipId: account.membership.id,
    status: account.status,
    frozenByMembershipId: account.frozenByMembershipId ?? null,
    replacedByAccountId: account.replacedById ?? null,
  });
  if (!decision.allowed) throw refusal('chainAccount.manage', decision);
}

/** An account for the acting membership, from a checked public key (chainAccount.manage). */
export async function createChainAccount(
  ctx: GatewayContext,
  { acting, scope }: ConsortiumGrant<Environment>,
  input: CreateChainAccountInput,
): Promise<ChainAccount> {
  const { key, address } = keyAndAddress(input.curve, input.publicKey);
  const membershipId = acting.membership.id;
  return ctx.em.transactional(async (tem) => {
    const env = await lockLive(tem, scope.row.id);
    await requireStillActive(tem, membershipId);
    const account = tem.create(ChainAccount, {
      environment: env,
      membership: tem.getReference(Membership, membershipId),
      curve: key.curve,
      publicKey: publicKeyOf(key),
      address,
    });
    decide(ChainAccountOperation.CREATE, acting, account);
    await conflictOnUnique(() => tem.flush(), 'This environment has an account with this address already', { field: 'publicKey', address });
    await recordEvent(tem, {
      kind: EventKind.CHAIN_ACCOUNT_CREATED,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: account.id },
      audienceOrganizationId: acting.organizationId,
      payload: { environmentId: env.id, membershipId, curve: key.curve, address },
    });
    return account;
  });
}

/**
 * A new key for an own account (chainAccount.manage). Where the chain allows a recovery key the
 * account keeps its address and takes the key; elsewhere (every EVM client: the address is the
 * key's hash) the rotation makes a new account with the new key and address, and the old one is
 * FROZEN for good, pointing to its replacement. Answers the account in use after the rotation.
 */
export async function rotateChainAccountKey(
  ctx: GatewayContext,
  { acting, scope }: ConsortiumGrant<ChainAccountInEnvironment>,
  input: RotateChainAccountKeyInput,
): Promise<ChainAccount> {
  const { key, address: newKeyAddress } = keyAndAddress(input.curve, input.publicKey);
  return ctx.em.transactional(async (tem) => {
    const env = await lockLive(tem, scope.row.environment.id);
    const account = await lockAccount(tem, scope.row.account.id);
    decide(ChainAccountOperation.ROTATE_KEY, acting, account);
    await requireStillActive(tem, acting.membership.id);
    const previousAddress = account.address;
    const after = addressAfterRotation({ currentAddress: previousAddress, newKeyAddress, chainAllowsRecoveryKey: ALLOWS_RECOVERY_KEY[env.client] });
    let current = account;
    if (after.newAccount) {
      current = tem.create(ChainAccount, {
        environment: env,
        membership: account.membership,
        curve: key.curve,
        publicKey: publicKeyOf(key),
        address: after.address,
        rotatedFromId: account.id,
      });
      account.status = ChainAccountStatus.FROZEN;
      account.frozenByMembershipId = acting.membership.id;
      account.replacedById = current.id;
    } else {
      account.curve = key.curve;
      account.publicKey = publicKeyOf(key);
    }
    await conflictOnUnique(() => tem.flush(), 'This environment has an account with this address already', { field: 'publicKey', address: after.address });
    await recordEvent(tem, {
      kind: EventKind.CHAIN_ACCOUNT_KEY_ROTATED,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: account.id },
      audienceOrganizationId: acting.organizationId,
      payload: {
        environmentId: env.id, membershipId: account.membership.id, curve: key.curve, address: after.address, previousAddress,
        newAccount: after.newAccount, newAccountId: after.newAccount ? current.id : null,
      },
    });
    return current;
  });
}

/** Freezes (own account, or any as an administrator) or unfreezes an account (chainAccount.manage). */
export async function setChainAccountFrozen(
  ctx: GatewayContext,
  { acting, scope }: ConsortiumGrant<ChainAccountInEnvironment>,
  frozen: boolean,
): Promise<ChainAccount> {
  return ctx.em.transactional(async (tem) => {
    const env = await lockLive(tem, scope.row.environment.id);
    const account = await lockAccount(tem, scope.row.account.id);
    decide(frozen ? ChainAccountOperation.FREEZE : ChainAccountOperation.UNFREEZE, acting, account);
    await requireStillActive(tem, acting.membership.id);
    account.status = frozen ? ChainAccountStatus.FROZEN : ChainAccountStatus.ACTIVE;
    account.frozenByMembershipId = frozen ? acting.membership.id : null;
    await tem.flush();
    await recordEvent(tem, {
      kind: frozen ? EventKind.CHAIN_ACCOUNT_FROZEN : EventKind.CHAIN_ACCOUNT_UNFROZEN,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: account.id },
      // It concerns the owner's organization, whoever acted.
      audienceOrganizationId: await ownerOrganizationId(tem, account.membership.id),
      payload: {
        environmentId: env.id, membershipId: account.membership.id, curve: account.curve, address: account.address,
        byAdministrator: account.membership.id !== acting.membership.id,
      },
    });
    return account;
  });
}

async function lockAccount(em: EntityManager, id: string): Promise<ChainAccount> {
  const account = await em.findOne(ChainAccount, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!account) throw notFound(SUBJECT, id);
  return account;
}

/** The accounts of an environment, oldest first (chainAccount.view). */
export function chainAccountsOf(ctx: GatewayContext, environment: Environment): Promise<ChainAccount[]> {
  return ctx.em.find(ChainAccount, { environment: environment.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * The status an account acts with (§8.2 "a frozen organization's accounts are frozen with it"):
 * its own, or FROZEN while its owner's organization is frozen in the consortium (§8.1: any of its
 * memberships there FROZEN). Batched per request.
 */
export async function effectiveStatusOf(ctx: GatewayContext, account: ChainAccount): Promise<ChainAccountStatus> {
  const loader = ctx.loaders.custom<string, boolean>('ChainAccount.ownerFrozen', async (membershipIds) => {
    const rows = await ctx.em.execute<{ id: string }[]>(
      `select m.id from membership m
        where m.id in (?) and exists (
          select 1 from membership o where o.organization_id = m.organization_id and o.consortium_id = m.consortium_id and o.status = ?)`,
      [[...membershipIds], MembershipStatus.FROZEN],
    );
    const frozen = new Set(rows.map((r) => r.id));
    return membershipIds.map((id) => frozen.has(id));
  });
  return effectiveAccountStatus(account.status, await loader.load(account.membership.id));
}
