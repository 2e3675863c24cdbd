import { Field, ID, ObjectType } from 'type-graphql';
import { Entity, Enum, ManyToOne, Opt, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { NetworkRole } from '../../governance/roles';
import { Consortium } from '../consortium/consortium.entity';
import { User } from '../user/user.entity';

/** A user's role inside one consortium's network (G.U. network roles). */
@ObjectType('NetworkRoleGrant', { simpleResolvers: true })
@Entity({ tableName: 'network_role' })
@Unique({ name: 'network_role_user_consortium_unique', properties: ['user', 'consortium'] })
export class NetworkRoleGrant {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => Consortium, { ref: true })
  consortium!: Ref<Consortium>;

  @Enum({ items: () => NetworkRole })
  @Field(() => NetworkRole)
  role!: NetworkRole;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();
}
