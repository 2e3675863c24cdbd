import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Entity, Enum, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Plan } from '../../governance/roles';

/** A tenant: a company or a business unit. */
@ObjectType('Organization', { simpleResolvers: true })
@Entity({ tableName: 'organization' })
@Check({ name: 'organization_licenses_check', expression: 'licenses >= 0' })
@Check({ name: 'organization_name_check', expression: "length(btrim(name)) > 0" })
export class Organization {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  @Enum({ items: () => Plan, default: Plan.STANDARD })
  @Field(() => Plan)
  plan: Opt<Plan> = Plan.STANDARD;

  /** Node licenses bought; every running node of the organization uses one. */
  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Node licenses bought; each running node uses one' })
  licenses: Opt<number> = 0;

  @Property({ type: 'text', nullable: true })
  billingContact?: string | null;

  /** Masked payment method, e.g. "VISA •••• 4242"; the card itself never reaches this service. */
  @Property({ type: 'text', nullable: true })
  paymentMethod?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();
}
