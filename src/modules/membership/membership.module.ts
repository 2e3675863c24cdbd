import type { GatewayModule } from '../../graphql/module';
import { authenticated, byConsortiumArg, consortiumAction, towardsConsortium, type ScopeOf } from '../../graphql/rules';
import { applicationScope } from './application.service';
import { ApplicationResolver } from './application.resolver';
import { startInvitationSweeper, stopInvitationSweeper } from './invitation.expiry';
import { InvitationResolver } from './invitation.resolver';
import { invitationScope } from './invitation.service';
import { MembershipWorkflowResolver } from './membership.resolver';
import { membershipScope, ownMembershipScope } from './membership.service';

// Scopes of the rules: the consortium of the resource named by the arguments. A null scope (no
// such resource, or not in a consortium of the caller's) lets the service answer NOT_FOUND.
const byInput: ScopeOf = async (_p, args) => ({ consortiumId: args.input.consortiumId, membershipId: args.input.membershipId ?? null });
const byInvitation: ScopeOf = (_p, args, ctx) => invitationScope(ctx, args.id, args.membershipId);
const byApplication: ScopeOf = (_p, args, ctx) => applicationScope(ctx, args.id, args.membershipId);
const byTarget: ScopeOf = (_p, args, ctx) => membershipScope(ctx, args.id, args.membershipId);
const byOwn: ScopeOf = (_p, args, ctx) => ownMembershipScope(ctx, args.membershipId);

/** Workflows: invitations, applications, approvals, freezes, additional memberships, leaving. */
export const membershipModule: GatewayModule = {
  name: 'membership',
  resolvers: [InvitationResolver, ApplicationResolver, MembershipWorkflowResolver],
  rules: {
    Query: {
      // The invitee's users who may respond are those who see what waits for them.
      pendingInvitations: towardsConsortium('invitation.respond'),
      consortiumInvitations: consortiumAction('consortium.view', byConsortiumArg()),
      consortiumApplications: consortiumAction('consortium.view', byConsortiumArg()),
      // Two audiences (the invitee or applicant, and the consortium's members): the service decides, NOT_FOUND otherwise.
      invitation: authenticated,
      application: authenticated,
    },
    Mutation: {
      inviteOrganization: consortiumAction('organization.invite', byInput),
      revokeInvitation: consortiumAction('invitation.revoke', byInvitation),
      acceptInvitation: towardsConsortium('invitation.respond'),
      declineInvitation: towardsConsortium('invitation.respond'),
      applyToJoin: towardsConsortium('application.submit', (_p, args) => args.input.consortiumId),
      withdrawApplication: towardsConsortium('application.submit'),
      approveApplication: consortiumAction('application.decide', byApplication),
      rejectApplication: consortiumAction('application.decide', byApplication),
      freezeMembership: consortiumAction('membership.freeze', byTarget),
      unfreezeMembership: consortiumAction('membership.unfreeze', byTarget),
      createMembership: consortiumAction('membership.create', byInput),
      leaveConsortium: consortiumAction('membership.leave', byOwn),
    },
  },
  start: (app) => startInvitationSweeper(app),
  stop: (app) => stopInvitationSweeper(app),
};
