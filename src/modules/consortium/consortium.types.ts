import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { MembershipStatus } from '../../governance';
import { Connection, PageArgs } from '../../graphql/pagination';
import { Membership } from '../membership/membership.entity';
import { Consortium } from './consortium.entity';

/** Longest description accepted; names follow the organization module's validName. */
export const DESCRIPTION_MAX = 2000;

@InputType()
export class CreateConsortiumInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: "Display name of the creator's membership; default: the organization's name" })
  membershipName?: string | null;
}

@InputType()
export class UpdateConsortiumInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ID, { nullable: true, description: 'The membership acted through; needed only when the organization holds several there' })
  membershipId?: string | null;
}

@ArgsType()
export class MembershipsArgs extends PageArgs {
  @Field(() => [MembershipStatus], { nullable: true, description: 'Default: ACTIVE and FROZEN' })
  status?: MembershipStatus[] | null;
}

/** The statuses a page of memberships lists: those asked for, else ACTIVE and FROZEN (sorted, once each). */
export function membershipStatuses(status: readonly MembershipStatus[] | null | undefined): MembershipStatus[] {
  return [...new Set(status?.length ? status : [MembershipStatus.ACTIVE, MembershipStatus.FROZEN])].sort();
}

/** A page of a consortium's memberships, oldest first. */
export const MembershipConnection = Connection(Membership, 'Membership');

/** A page of the caller's consortia. */
export const ConsortiumConnection = Connection(Consortium, 'Consortium');
