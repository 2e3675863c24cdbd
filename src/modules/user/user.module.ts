import { authenticated } from '../../graphql/rules';
import type { GatewayModule } from '../../graphql/module';
import { UserResolver } from './user.resolver';

export const userModule: GatewayModule = {
  name: 'user',
  resolvers: [UserResolver],
  rules: { Query: { me: authenticated } },
};
