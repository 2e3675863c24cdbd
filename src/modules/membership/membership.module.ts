import type { GatewayModule } from '../../graphql/module';
import { consortiumAction, requestAudience, towardsConsortium } from '../../graphql/rules';
import {
  applicationNamed, applicationRequest, consortiumNamed, invitationNamed, invitationRequest, membershipNamed, membershipNamedAt, ownMembership,
} from '../../graphql/scopes';
import { ApplicationResolver } from './application.resolver';
import { startInvitationSweeper, stopInvitationSweeper } from './invitation.expiry';
import { InvitationResolver } from './invitation.resolver';
import { MembershipWorkflowResolver } from './membership.resolver';

const ofInput = consortiumNamed('input.consortiumId', 'input.membershipId');

/** Workflows: invitations, applications, approvals, freezes, additional memberships, leaving. */
export const membershipModule: GatewayModule = {
  name: 'membership',
  resolvers: [InvitationResolver, ApplicationResolver, MembershipWorkflowResolver],
  rules: {
    Query: {
      // The invitee's users who may respond are those who see what waits for them.
      pendingInvitations: towardsConsortium('invitation.respond'),
      consortiumInvitations: consortiumAction('consortium.view', consortiumNamed()),
      // §8.1: only who may invite learns another organization's name, and nothing more.
      invitableOrganization: consortiumAction('organization.invite', consortiumNamed()),
      consortiumApplications: consortiumAction('consortium.view', consortiumNamed()),
      // Two audiences: the invitee or applicant, and the consortium's members; NOT_FOUND otherwise.
      invitation: requestAudience('invitation.respond', invitationRequest),
      application: requestAudience('application.submit', applicationRequest),
    },
    Mutation: {
      inviteOrganization: consortiumAction('organization.invite', ofInput),
      revokeInvitation: consortiumAction('invitation.revoke', invitationNamed),
      acceptInvitation: towardsConsortium('invitation.respond'),
      declineInvitation: towardsConsortium('invitation.respond'),
      applyToJoin: towardsConsortium('application.submit', (_p, args) => args.input?.consortiumId),
      withdrawApplication: towardsConsortium('application.submit'),
      approveApplication: consortiumAction('application.decide', applicationNamed),
      rejectApplication: consortiumAction('application.decide', applicationNamed),
      freezeMembership: consortiumAction('membership.freeze', membershipNamed),
      unfreezeMembership: consortiumAction('membership.unfreeze', membershipNamed),
      createMembership: consortiumAction('membership.create', ofInput),
      leaveConsortium: consortiumAction('membership.leave', ownMembership),
      removeMember: consortiumAction('member.remove', consortiumNamed()),
      transferAdministration: consortiumAction('administration.transfer', membershipNamedAt('toMembershipId')),
    },
  },
  start: (app) => startInvitationSweeper(app),
  stop: (app) => stopInvitationSweeper(app),
};
