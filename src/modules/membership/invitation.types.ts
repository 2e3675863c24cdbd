import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Permission } from '../../governance';
import { Connection, PageArgs } from '../../graphql/pagination';
import { Application } from './application.entity';
import { Invitation, InvitationStatus } from './invitation.entity';
import { Membership } from './membership.entity';

@InputType({ description: 'An offer of a membership to another organization' })
export class InviteOrganizationInput {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => ID, { nullable: true, description: 'The invited organization; or give `email` instead' })
  organizationId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The email of a person in the invited organization, instead of `organizationId`: the invitation goes to their organization, ' +
      'or, while the address is not yet known, waits until a user with that verified address creates or joins one',
  })
  email?: string | null;

  @Field(() => [Permission], {
    nullable: true,
    description:
      'Permissions offered, a subset of the inviting membership’s. Omitted: INVITE_ORGANIZATIONS if the inviter holds it, ' +
      'else none. Any other set needs the ENTERPRISE plan',
  })
  permissions?: Permission[] | null;

  @Field(() => ID, { nullable: true, description: 'The membership acted through; needed only when the organization holds several there' })
  membershipId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Days until the invitation expires, 1 to 90; default from configuration (14)' })
  expiresInDays?: number | null;
}

@ObjectType({
  simpleResolvers: true,
  description: 'An accepted invitation and what it created: a membership (sent by an ADMINISTRATOR) or an application (sent by a MEMBER)',
})
export class AcceptInvitationPayload {
  @Field(() => Invitation)
  invitation!: Invitation;

  @Field(() => Membership, { nullable: true, description: 'The new ACTIVE membership, when an ADMINISTRATOR invited' })
  membership!: Membership | null;

  @Field(() => Application, { nullable: true, description: 'The PENDING application an administrator decides, when a MEMBER invited' })
  application!: Application | null;
}

@ArgsType()
export class PendingInvitationsArgs extends PageArgs {}

@ArgsType()
export class ConsortiumInvitationsArgs extends PageArgs {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => InvitationStatus, { nullable: true, description: 'Default PENDING (and not expired)' })
  status?: InvitationStatus | null;
}

/** A page of invitations. */
export const InvitationConnection = Connection(Invitation, 'Invitation');
