import { Field, ID, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ChainAccountStatus } from '../../governance/chain-account';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';
import { KeyCurve } from './keys';

/**
 * §8.2 a chain account of an environment, owned by one membership: a checked public key and the
 * address derived from it. `status` is as stored; the API answers the effective status (a frozen
 * organization's accounts are frozen with it).
 */
@ObjectType('ChainAccount', { simpleResolvers: true })
@Entity({ tableName: 'chain_account' })
@Index({ name: 'chain_account_membership_idx', properties: ['membership'] })
@Unique({ name: 'chain_account_environment_address_unique', properties: ['environment', 'address'] })
export class ChainAccount {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Environment, { ref: true, deleteRule: 'cascade' })
  environment!: Ref<Environment>;

  @ManyToOne(() => Membership, { ref: true })
  membership!: Ref<Membership>;

  @Enum({ items: () => KeyCurve })
  @Field(() => KeyCurve)
  curve!: KeyCurve;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The public key, lower-case hex with 0x (secp256k1: the 33-byte compressed form)' })
  publicKey!: string;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The address derived from the key, EIP-55 checksummed' })
  address!: string;

  @Enum({ items: () => ChainAccountStatus, default: ChainAccountStatus.ACTIVE })
  status: Opt<ChainAccountStatus> = ChainAccountStatus.ACTIVE;

  /** The membership that froze the account (its own, or an administrator); null while ACTIVE. */
  @Property({ type: 'uuid', nullable: true })
  frozenByMembershipId?: string | null = null;

  /** After a key rotation that makes a new account: the account that replaced this one. */
  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'The account that replaced this one when its key was rotated (it is then FROZEN for good)' })
  replacedById?: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'The account whose key rotation made this one' })
  rotatedFromId?: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();
}
