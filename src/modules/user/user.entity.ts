import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { AccountRole } from '../../governance/roles';
import { Organization } from '../organization/organization.entity';

/**
 * A person, or the user a service account acts as (a subject and no email). A row with no
 * `subject` is an invitation by email into an organization: the first verified sign-in with that
 * email claims it.
 */
@ObjectType('User', { simpleResolvers: true })
@Entity({ tableName: 'app_user' })
@Index({ name: 'app_user_organization_created_idx', properties: ['organization', 'createdAt', 'id'] })
@Check({ name: 'app_user_email_check', expression: 'email = lower(email)' })
export class User {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  /** The token's `sub`, set on the first verified sign-in. */
  @Property({ type: 'text', nullable: true, unique: 'app_user_subject_unique' })
  subject?: string | null;

  /** Stored lower-case, so uniqueness ignores case; null for a service account (a machine has no address). */
  @Property({ type: 'text', nullable: true, unique: 'app_user_email_unique' })
  @Field(() => String, { nullable: true, description: 'Null for a service account' })
  email?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  name?: string | null;

  /**
   * Whether the last sign-in's token vouched for the address (`email_verified` not false): only a
   * verified address may be attached to an organization by email or receive invitations sent to it.
   */
  @Property({ type: 'boolean', default: false })
  emailVerified: Opt<boolean> = false;

  @ManyToOne(() => Organization, { ref: true, nullable: true, deleteRule: 'set null' })
  organization?: Ref<Organization> | null;

  @Enum({ items: () => AccountRole, nullable: true })
  @Field(() => AccountRole, { nullable: true, description: 'Null until the user belongs to an organization' })
  accountRole?: AccountRole | null;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();
}
