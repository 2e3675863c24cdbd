// Machine identities (service accounts): an organization's OWNER or ADMIN registers the client id
// a partner's identity provider puts in `sub` of client-credentials tokens, with an account role.
import { ALLOW, decideByAccountRole, deny, type Decision } from './decision';
import { ORGANIZATION_GRID } from './grid';
import { AccountRole, EffectiveRole, ROLE_RANK } from './roles';

const MANAGE_SERVICE_ACCOUNTS = ORGANIZATION_GRID['organization.serviceAccounts.manage'];

const rank = (role: AccountRole): number => ROLE_RANK[role as string as EffectiveRole];

/**
 * May the actor register, suspend, reactivate or delete a service account holding `accountRole`?
 * The grid's cell first (OWNER, ADMIN); then the account's role must be no higher than the
 * actor's own, so an ADMIN neither creates nor controls an OWNER through a machine.
 */
export function canManageServiceAccount(input: { actorRole: AccountRole | null; accountRole: AccountRole }): Decision {
  const manage = decideByAccountRole(MANAGE_SERVICE_ACCOUNTS, input.actorRole);
  if (!manage.allowed) return manage;
  const actorRole = input.actorRole!;
  if (rank(input.accountRole) > rank(actorRole)) {
    return deny(`a service account's role may be no higher than your own (you are ${actorRole}; the account is ${input.accountRole})`, {
      kind: 'accountRole',
      need: input.accountRole,
      have: actorRole,
    });
  }
  return ALLOW;
}
