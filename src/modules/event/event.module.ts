import type { GatewayModule } from '../../graphql/module';

/** The event log (audit trail, hash chain) and live subscriptions. */
export const eventModule: GatewayModule = {
  name: 'event',
  resolvers: [],
  rules: {},
};
