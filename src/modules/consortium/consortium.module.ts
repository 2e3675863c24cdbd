import type { GatewayModule } from '../../graphql/module';
import { authenticated, byConsortiumArg, consortiumAction, organizationAction, pick, type ScopeOf } from '../../graphql/rules';
import { NetworkRoleResolver } from '../network-role/network-role.resolver';
import { ConsortiumResolver } from './consortium.resolver';
import { MembershipFieldsResolver } from './membership-fields.resolver';
import { PermissionResolver } from './permission.resolver';

// Nested fields that reveal memberships are guarded too: a Membership or a Consortium may be
// reached from another module's type (an invitation, say), and the caller may not be a member.
const ofConsortium: ScopeOf = async (consortium: { id: string }) => ({ consortiumId: consortium.id });
const ofMembership: ScopeOf = async (membership: { consortium: { id: string } }) => ({ consortiumId: membership.consortium.id });
// myPermissions explains a named LEFT or FROZEN membership rather than refusing it: only visibility gates it.
const consortiumIdOnly: ScopeOf = async (_p, args) => ({ consortiumId: pick(args, 'consortiumId') });

/** Consortia, their memberships as seen by members, network roles, and rights made visible. */
export const consortiumModule: GatewayModule = {
  name: 'consortium',
  resolvers: [ConsortiumResolver, MembershipFieldsResolver, NetworkRoleResolver, PermissionResolver],
  rules: {
    Query: {
      consortium: consortiumAction('consortium.view', byConsortiumArg('id')),
      // Lists only what the caller may see; a user without an organization gets an empty page.
      consortia: authenticated,
      myPermissions: consortiumAction('consortium.view', consortiumIdOnly),
      permissionGrid: authenticated,
    },
    Mutation: {
      createConsortium: organizationAction('consortium.create'),
      updateConsortium: consortiumAction('consortium.update', async (_p, args) => ({
        consortiumId: pick(args, 'id'),
        membershipId: pick(args, 'input.membershipId') ?? null,
      })),
      deleteConsortium: consortiumAction('consortium.delete', byConsortiumArg('id')),
      // Layer A; the service adds: the user is of the caller's organization, the consortium is visible.
      grantNetworkRole: organizationAction('organization.users.manage'),
      revokeNetworkRole: organizationAction('organization.users.manage'),
    },
    Consortium: {
      memberships: consortiumAction('consortium.view', ofConsortium),
    },
    Membership: {
      consortium: consortiumAction('consortium.view', ofMembership),
      invitedBy: consortiumAction('consortium.view', ofMembership),
    },
  },
};
