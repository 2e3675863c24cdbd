import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ChainClient, Consensus } from './catalog';
import { Consortium } from '../consortium/consortium.entity';
import { Membership } from '../membership/membership.entity';

export enum EnvironmentStatus {
  LIVE = 'LIVE',
  DELETED = 'DELETED',
}

/** One chain of a consortium, with its own certificate authority. */
@ObjectType('Environment', { simpleResolvers: true })
@Entity({ tableName: 'environment' })
@Check({ name: 'environment_max_signers_check', expression: 'max_signers is null or max_signers > 0' })
@Index({
  name: 'environment_live_name_unique',
  expression:
    "create unique index environment_live_name_unique on environment (consortium_id, name) where status <> 'DELETED'",
})
export class Environment {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Consortium, { ref: true })
  @Index({ name: 'environment_consortium_idx' })
  consortium!: Ref<Consortium>;

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  @Enum({ items: () => ChainClient })
  @Field(() => ChainClient)
  client!: ChainClient;

  @Enum({ items: () => Consensus })
  @Field(() => Consensus)
  consensus!: Consensus;

  @Property({ type: 'text' })
  @Field(() => String)
  release!: string;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  maxSigners?: number | null;

  @Property({ type: 'bigint' })
  @Field(() => String, { description: 'EVM chain id (decimal string)' })
  chainId!: string;

  @Enum({ items: () => EnvironmentStatus, default: EnvironmentStatus.LIVE })
  @Field(() => EnvironmentStatus)
  status: Opt<EnvironmentStatus> = EnvironmentStatus.LIVE;

  /** The environment's certificate authority; its key is stored encrypted and never returned. */
  @Property({ type: 'text' })
  @Field(() => String, { description: 'The environment CA certificate (PEM); its private key is never returned' })
  caCertificatePem!: string;

  @Property({ type: 'text', lazy: true })
  caPrivateKeyEncrypted!: string;

  @ManyToOne(() => Membership, { ref: true })
  createdBy!: Ref<Membership>;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  updatedAt: Opt<Date> = new Date();
}
