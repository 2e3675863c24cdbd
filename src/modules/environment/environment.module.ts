import type { GatewayModule } from '../../graphql/module';

/** Environments, nodes and certificates. */
export const environmentModule: GatewayModule = {
  name: 'environment',
  resolvers: [],
  rules: {},
};
