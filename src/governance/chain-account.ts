// §8.2 chain accounts: the grid row chainAccount.manage says who may manage accounts at all; these
// rules say which operation on whose account, and what status an account has in effect.
import { ALLOW, deny, type Decision } from './decision';
import { ConsortiumRole } from './roles';

/** The statuses of a chain account. */
export enum ChainAccountStatus {
  ACTIVE = 'ACTIVE',
  FROZEN = 'FROZEN',
}

/** What chainAccount.manage covers. */
export enum ChainAccountOperation {
  CREATE = 'CREATE',
  ROTATE_KEY = 'ROTATE_KEY',
  FREEZE = 'FREEZE',
  UNFREEZE = 'UNFREEZE',
}

export interface ChainAccountTarget {
  /** The membership the account belongs to (for CREATE: the membership it is created for). */
  ownerMembershipId: string;
  status: ChainAccountStatus;
  /** The membership that froze the account, when it is FROZEN; null or absent if unknown. */
  frozenByMembershipId?: string | null;
  /** Set once a key rotation replaced the account with a new one: it stays FROZEN for good. */
  replacedByAccountId?: string | null;
}

/**
 * §8.2 "create, rotate key, freeze, unfreeze own membership's accounts; an administrator may
 * freeze any" — call after decideConsortium('chainAccount.manage', actor, { ownerMembershipId }).
 * Another membership's account: an ADMINISTRATOR may freeze it, and unfreeze what an
 * administrator froze; nobody creates or rotates keys for another membership. An account frozen
 * by an administrator of the consortium stays frozen until an administrator unfreezes it, or the
 * freeze would mean nothing. Then the status must allow the operation.
 */
export function decideChainAccountOperation(
  operation: ChainAccountOperation,
  acting: { id: string; role: ConsortiumRole },
  target: ChainAccountTarget,
): Decision {
  if (target.replacedByAccountId) {
    return deny('this account was replaced by a new one when its key was rotated: manage the new account', {
      kind: 'integrity',
      need: 'an account not replaced',
      have: `replaced by ${target.replacedByAccountId}`,
    });
  }
  const own = target.ownerMembershipId === acting.id;
  const administrator = acting.role === ConsortiumRole.ADMINISTRATOR;
  const frozenByOther = target.status === ChainAccountStatus.FROZEN && !!target.frozenByMembershipId && target.frozenByMembershipId !== target.ownerMembershipId;
  if (!own) {
    const adminMay = operation === ChainAccountOperation.FREEZE || (operation === ChainAccountOperation.UNFREEZE && frozenByOther);
    if (!administrator || !adminMay) {
      const what = administrator ? 'an administrator may only freeze it (and unfreeze what an administrator froze)' : 'only its own membership manages it';
      return deny(`this account belongs to another membership: ${what}`, {
        kind: 'ownership',
        need: 'own account',
        have: "another membership's account",
      });
    }
  } else if (operation === ChainAccountOperation.UNFREEZE && frozenByOther && !administrator) {
    return deny('an administrator froze this account: only an administrator unfreezes it', {
      kind: 'consortiumRole',
      need: ConsortiumRole.ADMINISTRATOR,
      have: acting.role,
    });
  }
  return decideAccountStatus(operation, target.status);
}

function decideAccountStatus(operation: ChainAccountOperation, status: ChainAccountStatus): Decision {
  const need: Partial<Record<ChainAccountOperation, ChainAccountStatus>> = {
    [ChainAccountOperation.ROTATE_KEY]: ChainAccountStatus.ACTIVE,
    [ChainAccountOperation.FREEZE]: ChainAccountStatus.ACTIVE,
    [ChainAccountOperation.UNFREEZE]: ChainAccountStatus.FROZEN,
  };
  const wanted = need[operation];
  if (operation === ChainAccountOperation.CREATE || wanted === status) return ALLOW;
  return deny(`the account is ${status}: ${operation} needs it ${wanted}`, { kind: 'integrity', need: wanted, have: status });
}

/** §8.2 "a frozen organization's accounts are frozen with it": the status an account acts with. */
export function effectiveAccountStatus(status: ChainAccountStatus, ownerOrganizationFrozen: boolean): ChainAccountStatus {
  return ownerOrganizationFrozen ? ChainAccountStatus.FROZEN : status;
}

/**
 * §8.2 key rotation "keeps the address only where the chain allows (a recovery key), else it is
 * a new account": the address after a rotation, and whether the rotation makes a new account.
 */
export function addressAfterRotation(input: { currentAddress: string; newKeyAddress: string; chainAllowsRecoveryKey: boolean }): {
  address: string;
  newAccount: boolean;
} {
  if (input.chainAllowsRecoveryKey) return { address: input.currentAddress, newAccount: false };
  return { address: input.newKeyAddress, newAccount: true };
}
