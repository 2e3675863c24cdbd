import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type ConsortiumGrant } from '../../graphql/grant';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';
import { nodeEndpoints } from './endpoints';
import { Node } from './node.entity';
import { NodeSize } from '../../governance/node-size';
import { createNode, deleteNode, expandNode } from './node.service';
import { CreateNodeInput, type NodeInEnvironment } from './node.types';

@Resolver(() => Node)
export class NodeResolver {
  @Query(() => Node, { description: 'A node of an environment you may view (environment.view)' })
  node(@Arg('id', () => ID) _id: string, @Granted() grant: ConsortiumGrant<NodeInEnvironment>): Node {
    return grant.scope.row.node;
  }

  @Mutation(() => Node, {
    description:
      'Add a node owned by the acting membership; it uses the licenses of its size (1, 2 or 4) of its organization ' +
      '(LICENSE_EXHAUSTED when they are not spare). node.create for a NON_SIGNER, node.createSigner for a SIGNER (CONFLICT beyond maxSigners)',
  })
  createNode(
    @Arg('input', () => CreateNodeInput) input: CreateNodeInput,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Node> {
    return createNode(ctx, grant, input);
  }

  @Mutation(() => Node, { description: 'Remove a node, freeing its license (node.delete: a MEMBER only its own nodes)' })
  deleteNode(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, { nullable: true }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<NodeInEnvironment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Node> {
    return deleteNode(ctx, grant);
  }

  @Mutation(() => Node, {
    description:
      "Give an own node a larger size (node.expand: its membership's, by its own organization); it takes the difference " +
      'in licenses of its organization (LICENSE_EXHAUSTED when they are not spare; BAD_USER_INPUT unless the size is larger)',
  })
  expandNode(
    @Arg('id', () => ID) _id: string,
    @Arg('size', () => NodeSize) size: NodeSize,
    @Arg('membershipId', () => ID, { nullable: true }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<NodeInEnvironment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Node> {
    return expandNode(ctx, grant, size);
  }

  @FieldResolver(() => Environment)
  environment(@Root() node: Node, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Environment, node.environment.id);
  }

  @FieldResolver(() => Membership, { description: 'The membership that owns the node' })
  membership(@Root() node: Node, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Membership, node.membership.id);
  }

  @FieldResolver(() => String, { description: 'JSON-RPC endpoint, derived from the node id (the gateway does not run nodes)' })
  rpcUrl(@Root() node: Node): string {
    return nodeEndpoints(node).rpcUrl;
  }

  @FieldResolver(() => String, { description: 'WebSocket endpoint, derived from the node id' })
  wsUrl(@Root() node: Node): string {
    return nodeEndpoints(node).wsUrl;
  }
}
