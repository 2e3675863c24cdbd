import type { GatewayModule } from '../../graphql/module';

/** Workflows: invitations, applications, approvals, freezes, additional memberships, leaving. */
export const membershipModule: GatewayModule = {
  name: 'membership',
  resolvers: [],
  rules: {},
};
