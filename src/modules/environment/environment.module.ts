import type { GatewayModule } from '../../graphql/module';
import { accountRoleConsortiumAction, consortiumAction } from '../../graphql/rules';
import { consortiumNamed, environmentNamed, parentConsortium, parentEnvironment } from '../../graphql/scopes';
import { Node } from '../node/node.entity';
import { Environment } from './environment.entity';
import { ConsortiumEnvironmentsResolver, EnvironmentResolver, LIVE_ENVIRONMENTS } from './environment.resolver';

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
  // The resolvers' reads, for the planned read path: an environment by id, a consortium's live
  // environments, the nodes of a live environment (none of another), the membership that created one.
  reads: {
    // environment(id) answers its scope's row: a live environment (environmentNamed).
    Query: { environment: { kind: 'row', entity: Environment, idArg: 'id', where: LIVE_ENVIRONMENTS } },
    Consortium: { environments: { kind: 'page', entity: Environment, foreignKey: 'consortium', args: ['first'], where: LIVE_ENVIRONMENTS } },
    Environment: {
      nodes: { kind: 'page', entity: Node, foreignKey: 'environment', args: ['first'], parentWhere: LIVE_ENVIRONMENTS },
      createdBy: { kind: 'relation', property: 'createdBy' },
    },
  },
};
