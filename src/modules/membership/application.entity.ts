import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Permission } from '../../governance/roles';
import { Consortium } from '../consortium/consortium.entity';
import { Invitation } from './invitation.entity';
import { Membership } from './membership.entity';
import { Organization } from '../organization/organization.entity';
import { User } from '../user/user.entity';
import { sqlLiteral } from '../../db/literal';

export enum ApplicationStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
}

/**
 * A request to join that waits for an administrator: an organization applying by itself, or an
 * accepted invitation that a MEMBER sent.
 */
@ObjectType('Application', { simpleResolvers: true })
@Entity({ tableName: 'application' })
@Check({ name: 'application_permissions_check', expression: "permissions <@ array['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS']::text[]" })
@Index({ name: 'application_consortium_created_idx', properties: ['consortium', 'status', 'createdAt', 'id'] })
@Index({
  name: 'application_one_pending_per_org',
  expression:
    `create unique index application_one_pending_per_org on application (consortium_id, organization_id) where status = ${sqlLiteral(ApplicationStatus.PENDING)}`,
})
export class Application {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Consortium, { ref: true })
  consortium!: Ref<Consortium>;

  @ManyToOne(() => Organization, { ref: true })
  organization!: Ref<Organization>;

  /** Set when the application comes from an invitation sent by a MEMBER. */
  @ManyToOne(() => Invitation, { ref: true, nullable: true })
  invitation?: Ref<Invitation> | null;

  /** Permissions the membership will hold once approved (empty for a plain application). */
  @Enum({ items: () => Permission, array: true, default: [] })
  @Field(() => [Permission])
  permissions: Opt<Permission[]> = [];

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  message?: string | null;

  /** The display name the membership takes once approved; null means the organization's name. */
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The membership's display name once approved; null: the organization's name" })
  displayName?: string | null;

  @Enum({ items: () => ApplicationStatus, default: ApplicationStatus.PENDING })
  @Field(() => ApplicationStatus)
  status: Opt<ApplicationStatus> = ApplicationStatus.PENDING;

  @ManyToOne(() => User, { ref: true })
  submittedBy!: Ref<User>;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @ManyToOne(() => User, { ref: true, nullable: true })
  decidedBy?: Ref<User> | null;

  @ManyToOne(() => Membership, { ref: true, nullable: true })
  decidedByMembership?: Ref<Membership> | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  decidedAt?: Date | null;
}
