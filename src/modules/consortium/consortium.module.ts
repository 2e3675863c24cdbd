import type { GatewayModule } from '../../graphql/module';

/** Consortia, their memberships as seen by members, network roles, and rights made visible. */
export const consortiumModule: GatewayModule = {
  name: 'consortium',
  resolvers: [],
  rules: {},
};
