import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Consortium } from '../consortium/consortium.entity';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';

export enum CompilationStatus {
  PENDING = 'PENDING',
  COMPILED = 'COMPILED',
  FAILED = 'FAILED',
}

/** A smart contract in the consortium's shared assets. A promoted version is immutable. */
@ObjectType('Compilation', { simpleResolvers: true })
@Entity({ tableName: 'compilation' })
@Unique({ name: 'compilation_name_version_unique', properties: ['consortium', 'name', 'version'] })
@Index({ name: 'compilation_status_idx', properties: ['status'] })
@Index({ name: 'compilation_consortium_created_idx', properties: ['consortium', 'createdAt', 'id'] })
export class Compilation {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Consortium, { ref: true })
  consortium!: Ref<Consortium>;

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  @Property({ type: 'integer', default: 1 })
  @Field(() => Int)
  version: Opt<number> = 1;

  @ManyToOne(() => Compilation, { ref: true, nullable: true })
  previousVersion?: Ref<Compilation> | null;

  @Property({ type: 'text' })
  @Field(() => String)
  source!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  contractName?: string | null;

  @Enum({ items: () => CompilationStatus, default: CompilationStatus.PENDING })
  @Field(() => CompilationStatus)
  status: Opt<CompilationStatus> = CompilationStatus.PENDING;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  compilerVersion?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  bytecode?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  deployedBytecode?: string | null;

  @Property({ type: 'jsonb', nullable: true })
  @Field(() => GraphQLJSON, { nullable: true })
  abi?: unknown[] | null;

  @Property({ type: 'jsonb', nullable: true })
  @Field(() => [String], { nullable: true, description: 'The compiler’s messages when FAILED' })
  errors?: string[] | null;

  @ManyToOne(() => Membership, { ref: true })
  createdBy!: Ref<Membership>;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  updatedAt: Opt<Date> = new Date();
}

/** A compiled contract made available on one environment. */
@Entity({ tableName: 'compilation_promotion' })
@Unique({ name: 'compilation_promotion_unique', properties: ['compilation', 'environment'] })
export class CompilationPromotion {
  @PrimaryKey({ type: 'uuid' })
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Compilation, { ref: true })
  compilation!: Ref<Compilation>;

  @ManyToOne(() => Environment, { ref: true, deleteRule: 'cascade' })
  environment!: Ref<Environment>;

  @ManyToOne(() => Membership, { ref: true })
  promotedBy!: Ref<Membership>;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}
