import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ConsortiumRole, MembershipStatus, Permission } from '../../governance/roles';
import { Consortium } from '../consortium/consortium.entity';
import { Organization } from '../organization/organization.entity';

/** One organization's seat in one consortium. Its permissions never change once created. */
@ObjectType('Membership', { simpleResolvers: true })
@Entity({ tableName: 'membership' })
@Check({ name: 'membership_permissions_check', expression: "permissions <@ array['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS']::text[]" })
@Unique({ name: 'membership_consortium_display_name_unique', properties: ['consortium', 'displayName'] })
@Index({ name: 'membership_organization_idx', properties: ['organization'] })
@Index({ name: 'membership_consortium_created_idx', properties: ['consortium', 'createdAt', 'id', 'status'] })
export class Membership {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Consortium, { ref: true })
  consortium!: Ref<Consortium>;

  @ManyToOne(() => Organization, { ref: true })
  organization!: Ref<Organization>;

  @Property({ type: 'text' })
  @Field(() => String)
  displayName!: string;

  @Enum({ items: () => ConsortiumRole })
  @Field(() => ConsortiumRole)
  role!: ConsortiumRole;

  @Enum({ items: () => Permission, array: true, default: [] })
  @Field(() => [Permission], { description: 'Fixed when the membership is created; never edited' })
  permissions: Opt<Permission[]> = [];

  @Enum({ items: () => MembershipStatus, default: MembershipStatus.ACTIVE })
  @Field(() => MembershipStatus)
  status: Opt<MembershipStatus> = MembershipStatus.ACTIVE;

  @ManyToOne(() => Membership, { ref: true, nullable: true })
  invitedBy?: Ref<Membership> | null;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();
}
