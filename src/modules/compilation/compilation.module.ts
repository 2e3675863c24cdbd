import type { GatewayModule } from '../../graphql/module';

/** Shared smart-contract compilations. */
export const compilationModule: GatewayModule = {
  name: 'compilation',
  resolvers: [],
  rules: {},
};
