import type { GatewayModule } from '../../graphql/module';
import { organizationActionIn } from '../../graphql/rules';
import { NetworkRoleResolver } from './network-role.resolver';

/** Users' network roles in the consortia of their organization (Layer B input). */
export const networkRoleModule: GatewayModule = {
  name: 'network-role',
  resolvers: [NetworkRoleResolver],
  rules: {
    Mutation: {
      // Layer A, in a consortium the caller's organization belongs to; the service adds the
      // integrity rule (only an OWNER grants or takes away OWNER) and that the user is of the organization.
      grantNetworkRole: organizationActionIn('organization.users.manage', 'input.consortiumId'),
      revokeNetworkRole: organizationActionIn('organization.users.manage', 'consortiumId'),
    },
  },
};
