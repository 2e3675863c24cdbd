import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { MembershipStatus, Permission } from '../../governance';
import { Membership } from './membership.entity';

/**
 * What an organization that is not (yet) a member may know of a consortium: its id and name.
 * Invitations and applications show this instead of the Consortium, whose details are members' only.
 */
@ObjectType('ConsortiumSummary', { simpleResolvers: true })
export class ConsortiumSummary {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;
}

/** Another organization as one who may invite it sees it (§8.1): its id and name, nothing else. */
@ObjectType('OrganizationSummary', { simpleResolvers: true })
export class OrganizationSummary {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;
}

/** A membership as an outsider (an invitee) may see it: who is inviting. */
@ObjectType('MembershipSummary', { simpleResolvers: true })
export class MembershipSummary {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  displayName!: string;
}

@InputType({ description: 'An additional membership for the organization, in a consortium where it already holds one' })
export class CreateMembershipInput {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => String, { description: 'Must differ from every other display name in the consortium' })
  displayName!: string;

  @Field(() => [Permission], {
    nullable: true,
    description: 'A subset of the acting membership’s; omitted: INVITE_ORGANIZATIONS if it holds it, else none',
  })
  permissions?: Permission[] | null;

  @Field(() => ID, { nullable: true, description: 'The membership acted through; needed only when the organization holds several there' })
  membershipId?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A membership that left, and what leaving undid' })
export class LeaveConsortiumPayload {
  @Field(() => ID)
  membershipId!: string;

  @Field(() => ID)
  consortiumId!: string;

  @Field(() => MembershipStatus)
  status!: MembershipStatus;

  @Field(() => [ID], { description: 'Nodes of the membership that were RUNNING and are now STOPPED' })
  stoppedNodeIds!: string[];

  @Field(() => [ID], { description: 'PENDING invitations the membership had sent, now REVOKED' })
  revokedInvitationIds!: string[];
}

@ObjectType({ simpleResolvers: true, description: 'A member organization removed from a consortium, and what its removal stopped or ended' })
export class RemoveMemberPayload {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => [ID], { description: 'Its memberships, now LEFT' })
  membershipIds!: string[];

  @Field(() => [ID], { description: 'Its nodes, now STOPPED (their licenses freed)' })
  stoppedNodeIds!: string[];

  @Field(() => [ID], { description: 'Its open invitations, now REVOKED' })
  revokedInvitationIds!: string[];

  @Field(() => [ID], { description: 'Its users whose network role there ended' })
  revokedNetworkRoleUserIds!: string[];
}

@ObjectType('AdministrationTransfer', { simpleResolvers: true, description: 'Administration handed over (§8.1)' })
export class AdministrationTransferPayload {
  @Field(() => Membership, { description: 'The new ADMINISTRATOR, holding all four permissions' })
  administrator!: Membership;

  @Field(() => Membership, { description: 'The former administrator, now a MEMBER keeping its permissions' })
  formerAdministrator!: Membership;
}
