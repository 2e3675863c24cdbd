// Rules that keep an organization or a consortium governable (§2 integrity, §6 workflows). They
// need counts the service loads; given those, the answer is pure. Refusals that no role could
// lift carry kind 'integrity' so the GraphQL layer may map them to CONFLICT, not FORBIDDEN.
import { ALLOW, decideByAccountRole, deny, type Decision } from './decision';
import { ORGANIZATION_GRID } from './grid';
import { AccountRole, ConsortiumRole, NetworkRole } from './roles';

const MANAGE_USERS = ORGANIZATION_GRID['organization.users.manage'];

function onlyOwnerTouchesOwner(actorRole: AccountRole | null, verb: string): Decision {
  if (actorRole === AccountRole.OWNER) return ALLOW;
  return deny(`only an ${AccountRole.OWNER} ${verb} the ${AccountRole.OWNER} role (you are ${actorRole ?? 'none'})`, {
    kind: 'accountRole',
    need: AccountRole.OWNER,
    have: actorRole ?? 'none',
  });
}

function lastOwner(ownerCount: number, what: string): Decision {
  return deny(`the last ${AccountRole.OWNER} of an organization cannot be ${what}: make another user ${AccountRole.OWNER} first`, {
    kind: 'integrity',
    need: `another ${AccountRole.OWNER}`,
    have: `${ownerCount} ${AccountRole.OWNER}`,
  });
}

export interface AccountRoleChange {
  actorRole: AccountRole | null;
  targetCurrentRole: AccountRole;
  targetNewRole: AccountRole;
  /** OWNERs the organization has now, the target included if they are one. */
  ownerCount: number;
}

/** Layer A: may the actor change a user's account role, keeping at least one OWNER (§2)? */
export function canChangeAccountRole(change: AccountRoleChange): Decision {
  const { actorRole, targetCurrentRole, targetNewRole, ownerCount } = change;
  const manage = decideByAccountRole(MANAGE_USERS, actorRole);
  if (!manage.allowed) return manage;
  if (targetCurrentRole === AccountRole.OWNER || targetNewRole === AccountRole.OWNER) {
    const byOwner = onlyOwnerTouchesOwner(actorRole, targetNewRole === AccountRole.OWNER ? 'grants' : 'takes away');
    if (!byOwner.allowed) return byOwner;
  }
  if (targetCurrentRole === AccountRole.OWNER && targetNewRole !== AccountRole.OWNER && ownerCount <= 1) {
    return lastOwner(ownerCount, 'demoted');
  }
  return ALLOW;
}

export interface NetworkRoleChange {
  actorRole: AccountRole | null;
  /** The user's network role in the consortium now; null when they hold none. */
  currentRole: NetworkRole | null;
  /** The role after the change; null for a revocation. */
  newRole: NetworkRole | null;
  /**
   * §8.1: the organization is frozen in the consortium (see organizationFrozen); a frozen
   * organization grants and revokes no network role there. Omitted: not checked.
   */
  organizationFrozen?: boolean;
}

// The spec lets an account ADMIN grant network roles; network OWNER makes anyone an effective
// OWNER (Layer B), so an ADMIN granting it (to themselves or a colleague) would lift a role only
// an OWNER may give. The account rule "only an OWNER grants or takes away OWNER" applies here too.
/** Layer B input: may the actor grant or revoke this network role in their organization (§3)? */
export function canChangeNetworkRole(change: NetworkRoleChange): Decision {
  const manage = decideByAccountRole(MANAGE_USERS, change.actorRole);
  if (!manage.allowed) return manage;
  if (change.organizationFrozen) {
    return deny('your organization is frozen in this consortium: it may only view, download its own certificates and leave', {
      kind: 'status',
      need: 'ACTIVE',
      have: 'FROZEN',
    });
  }
  if (change.currentRole === NetworkRole.OWNER || change.newRole === NetworkRole.OWNER) {
    const verb = change.newRole === NetworkRole.OWNER ? 'grants' : 'takes away';
    if (change.actorRole !== AccountRole.OWNER) {
      return deny(`only an account ${AccountRole.OWNER} ${verb} the network role ${NetworkRole.OWNER} (you are ${change.actorRole ?? 'none'})`, {
        kind: 'accountRole',
        need: AccountRole.OWNER,
        have: change.actorRole ?? 'none',
      });
    }
  }
  return ALLOW;
}

export interface UserRemoval {
  actorRole: AccountRole | null;
  targetRole: AccountRole;
  /** OWNERs the organization has now, the target included if they are one. */
  ownerCount: number;
}

/** Layer A: may the actor remove a user from the organization, keeping at least one OWNER (§2)? */
export function canRemoveUser(removal: UserRemoval): Decision {
  const { actorRole, targetRole, ownerCount } = removal;
  const manage = decideByAccountRole(MANAGE_USERS, actorRole);
  if (!manage.allowed) return manage;
  if (targetRole !== AccountRole.OWNER) return ALLOW;
  const byOwner = onlyOwnerTouchesOwner(actorRole, 'takes away');
  if (!byOwner.allowed) return byOwner;
  return ownerCount <= 1 ? lastOwner(ownerCount, 'removed') : ALLOW;
}

/** §6 Leave: the last ADMINISTRATOR cannot leave; call after decideConsortium('membership.leave'). */
export function canLeaveConsortium(input: { role: ConsortiumRole; administratorCount: number }): Decision {
  if (input.role !== ConsortiumRole.ADMINISTRATOR || input.administratorCount > 1) return ALLOW;
  return deny(`the last ${ConsortiumRole.ADMINISTRATOR} cannot leave the consortium; it may delete it instead`, {
    kind: 'integrity',
    need: `another ${ConsortiumRole.ADMINISTRATOR}`,
    have: `${input.administratorCount} ${ConsortiumRole.ADMINISTRATOR}`,
  });
}

/** §6 Freeze of one membership (first edition); §8.1 freezes the organization: use canFreezeOrganization and freezeChanges. */
export function canFreezeMembership(target: { role: ConsortiumRole }): Decision {
  if (target.role !== ConsortiumRole.ADMINISTRATOR) return ALLOW;
  return deny(`an ${ConsortiumRole.ADMINISTRATOR} membership cannot be frozen`, {
    kind: 'integrity',
    need: ConsortiumRole.MEMBER,
    have: ConsortiumRole.ADMINISTRATOR,
  });
}

/** §6 Nodes: a new node takes one of its organization's licenses; with none spare it is refused. */
export function hasSpareLicense(input: { licenses: number; inUse: number }): Decision {
  if (input.inUse < input.licenses) return ALLOW;
  return deny(`no spare node license: ${input.inUse} of ${input.licenses} in use; purchase licenses or delete a node`, {
    kind: 'integrity',
    need: 'a spare node license',
    have: `${input.inUse} of ${input.licenses} in use`,
  });
}

/** §6 Nodes: an environment with a max-signers limit refuses a signer beyond it (no limit: always room). */
export function hasSignerSlot(input: { maxSigners: number | null; signers: number }): Decision {
  if (input.maxSigners === null || input.signers < input.maxSigners) return ALLOW;
  return deny(`the environment allows at most ${input.maxSigners} signer nodes and has ${input.signers}`, {
    kind: 'integrity',
    need: 'a free signer slot',
    have: `${input.signers} of ${input.maxSigners} signers`,
  });
}
