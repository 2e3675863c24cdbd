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

/** An offer of a membership to an organization, with the permissions it would hold. */
@ObjectType('Invitation', { simpleResolvers: true })
@Entity({ tableName: 'invitation' })
@Check({ name: 'invitation_permissions_check', expression: "permissions <@ array['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS']::text[]" })
@Index({ name: 'invitation_invitee_status_idx', properties: ['inviteeOrganization', 'status'] })
@Index({ name: 'invitation_consortium_idx', properties: ['consortium'] })
export class Invitation {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Consortium, { ref: true })
  consortium!: Ref<Consortium>;

  @ManyToOne(() => Membership, { ref: true })
  invitingMembership!: Ref<Membership>;

  @ManyToOne(() => Organization, { ref: true })
  inviteeOrganization!: Ref<Organization>;

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

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @ManyToOne(() => User, { ref: true, nullable: true })
  decidedBy?: Ref<User> | null;

  @Property({ type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  decidedAt?: Date | null;
}
