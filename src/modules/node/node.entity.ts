import { Field, ID, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';
import { NodeSize } from '../../governance/node-size';

export enum NodeRole {
  SIGNER = 'SIGNER',
  NON_SIGNER = 'NON_SIGNER',
}

export enum NodeStatus {
  RUNNING = 'RUNNING',
  STOPPED = 'STOPPED',
}

/** A node of an environment, owned by a membership; a RUNNING node uses the licenses of its size (1, 2 or 4). */
@ObjectType('Node', { simpleResolvers: true })
@Entity({ tableName: 'node' })
@Index({ name: 'node_environment_created_idx', properties: ['environment', 'createdAt', 'id'] })
@Index({ name: 'node_membership_idx', properties: ['membership'] })
export class Node {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Environment, { ref: true, deleteRule: 'cascade' })
  environment!: Ref<Environment>;

  @ManyToOne(() => Membership, { ref: true })
  membership!: Ref<Membership>;

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  @Enum({ items: () => NodeRole })
  @Field(() => NodeRole)
  role!: NodeRole;

  @Enum({ items: () => NodeSize, default: NodeSize.SMALL })
  @Field(() => NodeSize, { description: 'SMALL takes 1 license, MEDIUM 2, LARGE 4 (while RUNNING)' })
  size: Opt<NodeSize> = NodeSize.SMALL;

  @Enum({ items: () => NodeStatus, default: NodeStatus.RUNNING })
  @Field(() => NodeStatus)
  status: Opt<NodeStatus> = NodeStatus.RUNNING;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();
}
