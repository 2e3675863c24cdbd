import type { GatewayModule } from '../../graphql/module';

/** Layer A: organizations, their users, billing and licenses. */
export const organizationModule: GatewayModule = {
  name: 'organization',
  resolvers: [],
  rules: {},
};
