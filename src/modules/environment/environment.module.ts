import type { GatewayModule } from '../../graphql/module';
import { accountRoleConsortiumAction, consortiumAction } from '../../graphql/rules';
import { consortiumNamed, environmentNamed, parentConsortium, parentEnvironment } from '../../graphql/scopes';
import { ConsortiumEnvironmentsResolver, EnvironmentResolver } from './environment.resolver';

/** Environments (chains) of a consortium. */
export const environmentModule: GatewayModule = {
  name: 'environment',
  resolvers: [EnvironmentResolver, ConsortiumEnvironmentsResolver],
  rules: {
    Query: {
      environment: consortiumAction('environment.view', environmentNamed('id')),
    },
    Mutation: {
      createEnvironment: consortiumAction('environment.create', consortiumNamed('input.consortiumId', 'input.membershipId')),
      updateEnvironment: consortiumAction('environment.update', environmentNamed('id', 'input.membershipId')),
      upgradeEnvironment: consortiumAction('environment.update', environmentNamed('id')),
      deleteEnvironment: consortiumAction('environment.delete', environmentNamed('id')),
      updateEnvironmentSecurity: accountRoleConsortiumAction('environment.security.update', environmentNamed('id')),
    },
    // Object fields that cross into consortium data: guarded wherever the parent came from.
    Consortium: {
      environments: consortiumAction('environment.view', parentConsortium),
    },
    Environment: {
      connectionProfile: consortiumAction('environment.view', parentEnvironment),
    },
  },
};
