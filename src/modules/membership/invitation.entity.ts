import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Permission } from '../../governance/roles';
import { Consortium } from '../consortium/consortium.entity';
import { Membership } from './membership.entity';
import { Organization } from '../organization/organization.entity';
import { User } from '../user/user.entity';

export enum InvitationStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}

/**
 * An offer of a membership to an organization, with the permissions it would hold. Sent by the
 * email of a person not yet known (§8.1 "Invite by email"), it names no organization until a user
 * with that verified address creates or joins one; it then goes to that organization.
 */
@ObjectType('Invitation', { simpleResolvers: true })
@Entity({ tableName: 'invitation' })
@Check({ name: 'invitation_permissions_check', expression: "permissions <@ array['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS']::text[]" })
@Index({ name: 'invitation_invitee_created_idx', properties: ['inviteeOrganization', 'status', 'createdAt', 'id'] })
@Index({ name: 'invitation_consortium_created_idx', properties: ['consortium', 'status', 'createdAt', 'id'] })
@Index({ name: 'invitation_invitee_email_idx', properties: ['inviteeEmail'] })
@Check({ name: 'invitation_invitee_check', expression: 'invitee_organization_id is not null or invitee_email is not null' })
export class Invitation {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Consortium, { ref: true })
  consortium!: Ref<Consortium>;

  @ManyToOne(() => Membership, { ref: true })
  invitingMembership!: Ref<Membership>;

  /** Null while an invitation by email waits for its person to create or join an organization. */
  @ManyToOne(() => Organization, { ref: true, nullable: true, deleteRule: 'no action' })
  inviteeOrganization?: Ref<Organization> | null;

  /** The address it was sent to, when sent by email (stored lower-case). */
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The address of the person it was sent to, when sent by email' })
  inviteeEmail?: string | null;

  @Enum({ items: () => Permission, array: true, default: [] })
  @Field(() => [Permission])
  permissions: Opt<Permission[]> = [];

  @Enum({ items: () => InvitationStatus, default: InvitationStatus.PENDING })
  @Field(() => InvitationStatus)
  status: Opt<InvitationStatus> = InvitationStatus.PENDING;

  @Property({ type: 'timestamptz' })
  @Field(() => Date)
  expiresAt!: Date;

  @ManyToOne(() => User, { ref: true })
  createdBy!: Ref<User>;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @ManyToOne(() => User, { ref: true, nullable: true })
  decidedBy?: Ref<User> | null;

  @Property({ type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  decidedAt?: Date | null;
}
