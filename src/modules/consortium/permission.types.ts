import { Field, ObjectType } from 'type-graphql';
import { AccountRole, EffectiveRole, NetworkRole, Permission } from '../../governance';

@ObjectType({ simpleResolvers: true, description: 'What a refusal lacked: the kind of check, what it needs, what the caller has' })
export class MissingRight {
  @Field(() => String, { description: 'accountRole, effectiveRole, consortiumRole, permission, status, membership, ownership or integrity' })
  kind!: string;

  @Field(() => String, { nullable: true })
  need?: string | null;

  @Field(() => String, { nullable: true })
  have?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One consortium action and whether the caller may perform it, decided as enforcement decides' })
export class ConsortiumPermission {
  @Field(() => String)
  action!: string;

  @Field(() => String)
  description!: string;

  @Field(() => Boolean)
  allowed!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it is refused; null when allowed' })
  reason!: string | null;

  @Field(() => MissingRight, { nullable: true })
  missing!: MissingRight | null;
}

@ObjectType({ simpleResolvers: true, description: 'A Layer A action (or one taken towards a consortium) and the account roles allowed' })
export class AccountRoleRule {
  @Field(() => String)
  action!: string;

  @Field(() => String)
  description!: string;

  @Field(() => String, { nullable: true })
  note!: string | null;

  @Field(() => [AccountRole])
  allowedRoles!: AccountRole[];
}

@ObjectType({ simpleResolvers: true })
export class EffectiveRoleCell {
  @Field(() => AccountRole)
  accountRole!: AccountRole;

  @Field(() => EffectiveRole)
  effectiveRole!: EffectiveRole;
}

@ObjectType({ simpleResolvers: true, description: 'One row of the Layer B priority table' })
export class EffectiveRoleRow {
  @Field(() => NetworkRole, { nullable: true, description: 'Null: the user holds no network role in the consortium' })
  networkRole!: NetworkRole | null;

  @Field(() => [EffectiveRoleCell])
  cells!: EffectiveRoleCell[];
}

@ObjectType({ simpleResolvers: true, description: 'A Layer C row: consortium role rule, minimum effective role, frozen allowance' })
export class ConsortiumActionRule {
  @Field(() => String)
  action!: string;

  @Field(() => String)
  description!: string;

  @Field(() => Boolean)
  administrator!: boolean;

  @Field(() => String, { description: "What a MEMBER may do: 'true', 'false', a permission name, or 'own' (own resources only)" })
  member!: string;

  @Field(() => Permission, { nullable: true, description: 'The permission a MEMBER needs, when the rule names one' })
  memberPermission!: Permission | null;

  @Field(() => EffectiveRole)
  minRole!: EffectiveRole;

  @Field(() => Boolean)
  frozenAllowed!: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'The three permission layers, as the gateway enforces them' })
export class PermissionGrid {
  @Field(() => [AccountRoleRule])
  organizationActions!: AccountRoleRule[];

  @Field(() => [AccountRoleRule])
  towardsConsortiumActions!: AccountRoleRule[];

  @Field(() => [EffectiveRoleRow])
  effectiveRoles!: EffectiveRoleRow[];

  @Field(() => [ConsortiumActionRule])
  consortiumActions!: ConsortiumActionRule[];
}
