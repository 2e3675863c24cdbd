import { Field, ID, InputType } from 'type-graphql';
import { NodeRole } from './node.entity';

@InputType()
export class CreateNodeInput {
  @Field(() => ID)
  environmentId!: string;

  @Field(() => String, { description: '1 to 100 characters' })
  name!: string;

  @Field(() => NodeRole, { description: 'SIGNER needs node.createSigner (permission CREATE_SIGNERS for a MEMBER)' })
  role!: NodeRole;

  @Field(() => ID, { nullable: true, description: 'The membership that will own the node' })
  membershipId?: string | null;
}
