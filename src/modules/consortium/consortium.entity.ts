import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Entity, ManyToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Organization } from '../organization/organization.entity';

/** A virtual organization made of memberships. Deletion is soft: its events stay in the log. */
@ObjectType('Consortium', { simpleResolvers: true })
@Entity({ tableName: 'consortium' })
@Check({ name: 'consortium_name_check', expression: "length(btrim(name)) > 0" })
export class Consortium {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  @Property({ type: 'text', default: '' })
  @Field(() => String)
  description: Opt<string> = '';

  @ManyToOne(() => Organization, { ref: true })
  creatorOrganization!: Ref<Organization>;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;
}
