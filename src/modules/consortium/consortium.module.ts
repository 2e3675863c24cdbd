import type { GatewayModule } from '../../graphql/module';
import { authenticated, consortiumAction, organizationAction } from '../../graphql/rules';
import { consortiumNamed, parentConsortium, parentMembership } from '../../graphql/scopes';
import { ConsortiumResolver } from './consortium.resolver';
import { MembershipFieldsResolver } from './membership-fields.resolver';
import { PermissionResolver } from './permission.resolver';
import { Consortium } from './consortium.entity';
import { membershipStatuses } from './consortium.types';
import { Membership } from '../membership/membership.entity';
import type { MembershipStatus } from '../../governance';

/** Consortia, their memberships as seen by members, and rights made visible. */
export const consortiumModule: GatewayModule = {
  name: 'consortium',
  resolvers: [ConsortiumResolver, MembershipFieldsResolver, PermissionResolver],
  rules: {
    Query: {
      consortium: consortiumAction('consortium.view', consortiumNamed('id')),
      // Lists only what the caller may see; a user without an organization gets an empty page.
      consortia: authenticated,
      // Explains a named LEFT or FROZEN membership rather than refusing it: only visibility gates it.
      myPermissions: consortiumAction('consortium.view', consortiumNamed('consortiumId', null)),
      permissionGrid: authenticated,
    },
    Mutation: {
      createConsortium: organizationAction('consortium.create'),
      updateConsortium: consortiumAction('consortium.update', consortiumNamed('id', 'input.membershipId')),
      deleteConsortium: consortiumAction('consortium.delete', consortiumNamed('id')),
    },
    // Nested fields that reveal memberships are guarded too: a Membership or a Consortium may be
    // reached from another module's type (an invitation, say), and the caller may not be a member.
    Consortium: {
      memberships: consortiumAction('consortium.view', parentConsortium),
    },
    Membership: {
      consortium: consortiumAction('consortium.view', parentMembership),
      invitedBy: consortiumAction('consortium.view', parentMembership),
    },
  },
  // The resolvers' reads, for the planned read path: a live consortium by id (getConsortium),
  // its page of memberships (ConsortiumResolver.memberships) and a membership's relations.
  reads: {
    Query: { consortium: { kind: 'row', entity: Consortium, idArg: 'id', where: { deletedAt: null } } },
    Consortium: {
      memberships: {
        kind: 'page',
        entity: Membership,
        foreignKey: 'consortium',
        args: ['first', 'status'],
        where: { status: { $in: (args) => membershipStatuses(args.status as MembershipStatus[] | null) } },
      },
    },
    Membership: { organization: { kind: 'relation', property: 'organization' }, invitedBy: { kind: 'relation', property: 'invitedBy' } },
  },
};
