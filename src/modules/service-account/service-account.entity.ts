import { Field, ID, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, ManyToOne, OneToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { AccountRole } from '../../governance/roles';
import { Organization } from '../organization/organization.entity';
import { User } from '../user/user.entity';

export enum ServiceAccountStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}

/**
 * A machine identity of an organization: the client id a partner's identity provider puts in the
 * `sub` of its client-credentials tokens. It acts as its user (a row with that subject, no email,
 * the account's role and organization); a token without `email` is accepted for it alone, and
 * only while it is ACTIVE.
 */
@ObjectType('ServiceAccount', { simpleResolvers: true })
@Entity({ tableName: 'service_account' })
@Index({ name: 'service_account_organization_created_idx', properties: ['organization', 'createdAt', 'id'] })
export class ServiceAccount {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'cascade' })
  organization!: Ref<Organization>;

  /** The user it acts as: subject = clientId, no email. */
  @OneToOne(() => User, { ref: true, owner: true, unique: 'service_account_user_unique', deleteRule: 'cascade' })
  user!: Ref<User>;

  /** The token's `sub`, exactly as the identity provider writes it. */
  @Property({ type: 'text', unique: 'service_account_client_id_unique' })
  @Field(() => String, { description: 'The `sub` its identity provider puts in client-credentials tokens' })
  clientId!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  @Enum({ items: () => AccountRole })
  @Field(() => AccountRole)
  accountRole!: AccountRole;

  @Enum({ items: () => ServiceAccountStatus, default: ServiceAccountStatus.ACTIVE })
  @Field(() => ServiceAccountStatus)
  status: Opt<ServiceAccountStatus> = ServiceAccountStatus.ACTIVE;

  /** The user who registered it (no foreign key: the record outlives its author). */
  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  createdById?: string | null;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();
}
