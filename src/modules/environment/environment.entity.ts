import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ArrayType, Check, Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ChainClient, Consensus } from './catalog';
import { Consortium } from '../consortium/consortium.entity';
import { Membership } from '../membership/membership.entity';
import { TlsMinVersion } from './security-policy';
import { sqlLiteral } from '../../db/literal';

export enum EnvironmentStatus {
  LIVE = 'LIVE',
  DELETED = 'DELETED',
}

/** One chain of a consortium, with its own certificate authority. */
@ObjectType('Environment', { simpleResolvers: true })
@Entity({ tableName: 'environment' })
@Index({ name: 'environment_consortium_created_idx', properties: ['consortium', 'createdAt', 'id', 'status'] })
@Check({ name: 'environment_max_signers_check', expression: 'max_signers is null or max_signers > 0' })
@Index({
  name: 'environment_live_name_unique',
  expression:
    `create unique index environment_live_name_unique on environment (consortium_id, name) where status <> ${sqlLiteral(EnvironmentStatus.DELETED)}`,
})
export class Environment {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Consortium, { ref: true })
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

  /** §8.2 security editing: the client networks (canonical CIDR ranges) node endpoints admit; empty admits every client. */
  @Property({ type: ArrayType, default: [] })
  allowList: Opt<string[]> = [];

  /** §8.2 security editing: the lowest TLS version node endpoints accept. */
  @Enum({ items: () => TlsMinVersion, default: TlsMinVersion.TLS1_2 })
  tlsMinVersion: Opt<TlsMinVersion> = TlsMinVersion.TLS1_2;

  /** §8.2 security editing: mutual TLS with a certificate of the consortium's authority. */
  @Property({ type: 'boolean', default: false })
  tlsRequireClientCertificate: Opt<boolean> = false;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  updatedAt: Opt<Date> = new Date();
}
