import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';
import { nodeEndpoints } from './endpoints';
import { Node } from './node.entity';
import { createNode, deleteNode, viewNode } from './node.service';
import { CreateNodeInput } from './node.types';

@Resolver(() => Node)
export class NodeResolver {
  @Query(() => Node, { description: 'A node of an environment you may view (environment.view)' })
  node(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Node> {
    return viewNode(ctx, id);
  }

  @Mutation(() => Node, {
    description:
      'Add a node owned by the acting membership; it uses one license of its organization (LICENSE_EXHAUSTED when none ' +
      'is spare). node.create for a NON_SIGNER, node.createSigner for a SIGNER (CONFLICT beyond maxSigners)',
  })
  createNode(@Arg('input', () => CreateNodeInput) input: CreateNodeInput, @Ctx() ctx: GatewayContext): Promise<Node> {
    return createNode(ctx, input);
  }

  @Mutation(() => Node, { description: 'Remove a node, freeing its license (node.delete: a MEMBER only its own nodes)' })
  deleteNode(
    @Arg('id', () => ID) id: string,
    @Arg('membershipId', () => ID, { nullable: true }) membershipId: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Node> {
    return deleteNode(ctx, id, membershipId);
  }

  @FieldResolver(() => Environment)
  environment(@Root() node: Node, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.byId(Environment).load(node.environment.id);
  }

  @FieldResolver(() => Membership, { description: 'The membership that owns the node' })
  membership(@Root() node: Node, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.byId(Membership).load(node.membership.id);
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
