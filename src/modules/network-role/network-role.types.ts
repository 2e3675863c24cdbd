import { Field, ID, InputType } from 'type-graphql';
import { NetworkRole } from '../../governance';

@InputType()
export class GrantNetworkRoleInput {
  @Field(() => ID, { description: "A user of the caller's own organization" })
  userId!: string;

  @Field(() => ID, { description: "A consortium the caller's organization belongs to" })
  consortiumId!: string;

  @Field(() => NetworkRole)
  role!: NetworkRole;
}
