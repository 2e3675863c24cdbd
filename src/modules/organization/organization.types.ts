import { Field, InputType, ObjectType } from 'type-graphql';
import { Plan } from '../../governance';
import { Connection } from '../../graphql/pagination';
import { User } from '../user/user.entity';

@InputType({ description: 'A new organization; its creator becomes its OWNER' })
export class CreateOrganizationInput {
  @Field(() => String)
  name!: string;

  @Field(() => Plan, { nullable: true, description: 'Default STANDARD' })
  plan?: Plan | null;
}

@InputType({ description: 'Billing changes; an omitted (or null) field stays as it is' })
export class UpdateBillingInput {
  @Field(() => String, { nullable: true, description: 'The billing contact, an email address' })
  contact?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A masked payment method such as "VISA •••• 4242"; a full card number is refused',
  })
  paymentMethod?: string | null;

  @Field(() => Plan, { nullable: true, description: 'Upgrading to ENTERPRISE is a billing act' })
  plan?: Plan | null;
}

@ObjectType({ simpleResolvers: true, description: 'Payment details of an organization' })
export class Billing {
  @Field(() => String, { nullable: true, description: 'The billing contact (email)' })
  contact!: string | null;

  @Field(() => String, { nullable: true, description: 'Masked, e.g. "VISA •••• 4242"' })
  paymentMethod!: string | null;
}

/** `UserConnection`: a page of an organization's users, pending email invitations included. */
export const UserConnection = Connection(User, 'User');
