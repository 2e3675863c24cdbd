import type { GatewayModule } from '../../graphql/module';
import { consortiumAction } from '../../graphql/rules';
import { chainAccountNamed, environmentNamed, parentEnvironment } from '../../graphql/scopes';
import { ChainAccountResolver, EnvironmentChainAccountsResolver } from './chain-account.resolver';

/** §8.2 chain accounts of an environment (Alibaba "Manage contract blockchain accounts"). */
export const chainAccountModule: GatewayModule = {
  name: 'chain-account',
  resolvers: [ChainAccountResolver, EnvironmentChainAccountsResolver],
  rules: {
    Query: {
      chainAccount: consortiumAction('chainAccount.view', chainAccountNamed({ withOwner: false })),
    },
    Mutation: {
      createChainAccount: consortiumAction('chainAccount.manage', environmentNamed('input.environmentId', 'input.membershipId')),
      rotateChainAccountKey: consortiumAction('chainAccount.manage', chainAccountNamed({ withOwner: true })),
      freezeChainAccount: consortiumAction('chainAccount.manage', chainAccountNamed({ withOwner: true })),
      unfreezeChainAccount: consortiumAction('chainAccount.manage', chainAccountNamed({ withOwner: true })),
    },
    Environment: {
      chainAccounts: consortiumAction('chainAccount.view', parentEnvironment),
    },
  },
};
