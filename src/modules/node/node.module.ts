import type { GatewayModule } from '../../graphql/module';
import { consortiumAction } from '../../graphql/rules';
import { environmentNamed, nodeNamed } from '../../graphql/scopes';
import { Node, NodeRole } from './node.entity';
import { NodeResolver } from './node.resolver';

/** The grid action of creating a node of `role`: a signer needs node.createSigner (§4). */
export function createActionFor(role: NodeRole | undefined): 'node.create' | 'node.createSigner' {
  return role === NodeRole.SIGNER ? 'node.createSigner' : 'node.create';
}

/** Signer and non-signer nodes of an environment. */
export const nodeModule: GatewayModule = {
  name: 'node',
  resolvers: [NodeResolver],
  rules: {
    Query: {
      node: consortiumAction('environment.view', nodeNamed({ withOwner: false })),
    },
    Mutation: {
      createNode: consortiumAction((a) => createActionFor(a.input?.role), environmentNamed('input.environmentId', 'input.membershipId')),
      deleteNode: consortiumAction('node.delete', nodeNamed({ withOwner: true })),
      expandNode: consortiumAction('node.expand', nodeNamed({ withOwner: true })),
    },
  },
  // The resolvers' reads, for the planned read path: a node by id (its scope's row; the rule finds
  // it NOT_FOUND unless its environment is live) and the membership that owns a node.
  reads: {
    Query: { node: { kind: 'row', entity: Node, idArg: 'id' } },
    Node: { membership: { kind: 'relation', property: 'membership' } },
  },
};
