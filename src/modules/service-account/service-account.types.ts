import { Field, ID, InputType } from 'type-graphql';
import { AccountRole } from '../../governance';
import { Connection } from '../../graphql/pagination';
import { ServiceAccount } from './service-account.entity';

@InputType({ description: 'A machine identity to register: the client id its identity provider puts in `sub`' })
export class RegisterServiceAccountInput {
  @Field(() => ID, { nullable: true, description: "The caller's own organization (the default); any other id is NOT_FOUND" })
  organizationId?: string | null;

  @Field(() => String, { description: 'The `sub` of its client-credentials tokens, exactly; at most 255 characters' })
  clientId!: string;

  @Field(() => String, { description: 'A name for people, e.g. the partner program' })
  name!: string;

  @Field(() => AccountRole, { description: "Its account role: no higher than the caller's own" })
  accountRole!: AccountRole;
}

/** `ServiceAccountConnection`: a page of an organization's service accounts. */
export const ServiceAccountConnection = Connection(ServiceAccount, 'ServiceAccount');
