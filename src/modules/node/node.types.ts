import { Field, ID, InputType } from 'type-graphql';
import type { Environment } from '../environment/environment.entity';
import { NodeSize } from '../../governance/node-size';
import { type Node, NodeRole } from './node.entity';

@InputType()
export class CreateNodeInput {
  @Field(() => ID)
  environmentId!: string;

  @Field(() => String, { description: '1 to 100 characters' })
  name!: string;

  @Field(() => NodeRole, { description: 'SIGNER needs node.createSigner (permission CREATE_SIGNERS for a MEMBER)' })
  role!: NodeRole;

  @Field(() => NodeSize, { nullable: true, description: 'SMALL (default) takes 1 license, MEDIUM 2, LARGE 4' })
  size?: NodeSize | null;

  @Field(() => ID, { nullable: true, description: 'The membership that will own the node' })
  membershipId?: string | null;
}

/** A node with the live environment it runs in: what the rules of node fields load and grant. */
export interface NodeInEnvironment {
  node: Node;
  environment: Environment;
}
