// §6 Apply: an organization applies to join (or accepted a MEMBER's invitation); an administrator
// approves (the membership becomes ACTIVE with the application's permissions: none for a plain
// application) or rejects with a reason. Decisions lock the row: one of racing decisions wins.
import type { GraphQLResolveInfo } from 'graphql';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound } from '../../errors';
import { ConsortiumRole, MembershipStatus } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { CallerGrant, ConsortiumGrant } from '../../graphql/grant';
import { keysetPage, type Page } from '../../graphql/pagination';
import { requireId, requireText } from '../../validation';
import { Application, ApplicationStatus } from './application.entity';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { Invitation } from './invitation.entity';
import { User } from '../user/user.entity';
import type { ApplyToJoinInput, ApproveApplicationPayload, ConsortiumApplicationsArgs } from './application.types';
import { Membership } from './membership.entity';
import { DISPLAY_NAME_MAX, optionalText, TEXT_MAX } from './membership.input';
import { displayNameFor, liveConsortiumName, organizationFacts, requireNoPendingApplication, requireSeat, uniquely } from './membership.seats';

/** Submits an application to join; records APPLICATION_SUBMITTED. */
export async function applyToJoin(ctx: GatewayContext, caller: CallerGrant, input: ApplyToJoinInput): Promise<Application> {
  const consortiumId = requireId(input.consortiumId, 'Consortium');
  const { user } = caller;
  const orgId = caller.organizationId!;
  const message = optionalText(input.message, 'message', TEXT_MAX, { multiline: true });
  const displayName = optionalText(input.displayName, 'displayName', DISPLAY_NAME_MAX);
  return uniquely(() =>
    ctx.em.transactional(async (em) => {
      const consortiumName = await liveConsortiumName(em, consortiumId);
      if (!consortiumName) throw notFound('Consortium', consortiumId);
      await requireNoPendingApplication(em, consortiumId, orgId);
      const org = (await organizationFacts(em, orgId))!;
      if (displayName !== null) await displayNameFor(em, consortiumId, displayName, org.name, { strict: true });
      const application = em.create(Application, {
        consortium: consortiumId,
        organization: orgId,
        message,
        displayName,
        submittedBy: user.id,
      });
      await recordEvent(em, {
        kind: EventKind.APPLICATION_SUBMITTED,
        consortiumId,
        actor: { userId: user.id, organizationId: orgId, membershipId: null },
        subject: { type: 'Application', id: application.id },
        payload: { applicationId: application.id, organizationId: orgId, organizationName: org.name, displayName, message, permissions: [] },
      });
      return application;
    }),
  );
}

/** Locks a PENDING application for a decision; decided already → CONFLICT. */
async function lockPending(em: EntityManager, id: string, visible: (a: Application) => boolean): Promise<Application> {
  const application = await em.findOne(Application, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!application || !visible(application)) throw notFound('Application', id);
  if (application.status !== ApplicationStatus.PENDING) {
    throw conflict(`The application was already ${application.status.toLowerCase()}`, { status: application.status });
  }
  return application;
}

function settle(em: EntityManager, application: Application, status: ApplicationStatus, userId: string, membershipId: string | null): void {
  application.status = status;
  application.decidedBy = em.getReference(User, userId, { wrapped: true });
  application.decidedByMembership = membershipId ? em.getReference(Membership, membershipId, { wrapped: true }) : null;
  application.decidedAt = new Date();
}

/** Withdraws the caller's organization's PENDING application. */
export async function withdrawApplication(ctx: GatewayContext, caller: CallerGrant, id: string): Promise<Application> {
  const { user } = caller;
  const orgId = caller.organizationId!;
  requireId(id, 'Application');
  return ctx.em.transactional(async (em) => {
    const application = await lockPending(em, id, (a) => a.organization.id === orgId);
    settle(em, application, ApplicationStatus.WITHDRAWN, user.id, null);
    await recordEvent(em, {
      kind: EventKind.APPLICATION_WITHDRAWN,
      consortiumId: application.consortium.id,
      actor: { userId: user.id, organizationId: orgId, membershipId: null },
      subject: { type: 'Application', id },
      payload: { applicationId: id, organizationId: orgId },
    });
    return application;
  });
}

/** Approves an application: an ACTIVE MEMBER membership with its permissions (§6 Apply). */
export async function approveApplication(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Application>): Promise<ApproveApplicationPayload> {
  const id = scope.row.id;
  const approver = acting.membership;
  return uniquely(() =>
    ctx.em.transactional(async (em) => {
      const application = await lockPending(em, id, () => true);
      const consortiumId = application.consortium.id;
      const orgId = application.organization.id;
      await requireSeat(em, consortiumId, orgId);
      const org = (await organizationFacts(em, orgId))!;
      // An accepted invitation keeps the chain of who invited whom; a plain application has no inviter.
      const invitation = application.invitation ? await em.findOneOrFail(Invitation, application.invitation.id) : null;
      const invitedBy = invitation?.invitingMembership.id ?? null;
      const membership = em.create(Membership, {
        consortium: consortiumId,
        organization: orgId,
        displayName: await displayNameFor(em, consortiumId, application.displayName ?? null, org.name, { strict: false }),
        role: ConsortiumRole.MEMBER,
        permissions: application.permissions,
        status: MembershipStatus.ACTIVE,
        invitedBy,
      });
      settle(em, application, ApplicationStatus.APPROVED, acting.user.id, approver.id);
      const common = { applicationId: id, organizationId: orgId, organizationName: org.name, permissions: application.permissions };
      await recordEvent(em, {
        kind: EventKind.APPLICATION_APPROVED,
        consortiumId,
        actor: eventActor(acting),
        subject: { type: 'Application', id },
        audienceOrganizationId: orgId,
        payload: { ...common, membershipId: membership.id },
      });
      await recordEvent(em, {
        kind: EventKind.MEMBER_JOINED,
        consortiumId,
        actor: eventActor(acting),
        subject: { type: 'Membership', id: membership.id },
        payload: {
          ...common,
          membershipId: membership.id,
          displayName: membership.displayName,
          role: membership.role,
          invitedByMembershipId: invitedBy,
          via: 'APPLICATION',
        },
      });
      return { application, membership };
    }),
  );
}

/** Rejects an application with a reason the applicant sees. */
export async function rejectApplication(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Application>, reason: string): Promise<Application> {
  const id = scope.row.id;
  const approver = acting.membership;
  const why = requireText(reason, 'reason', TEXT_MAX, { multiline: true });
  return ctx.em.transactional(async (em) => {
    const application = await lockPending(em, id, () => true);
    settle(em, application, ApplicationStatus.REJECTED, acting.user.id, approver.id);
    application.reason = why;
    await recordEvent(em, {
      kind: EventKind.APPLICATION_REJECTED,
      consortiumId: application.consortium.id,
      actor: eventActor(acting),
      subject: { type: 'Application', id },
      audienceOrganizationId: application.organization.id,
      payload: { applicationId: id, organizationId: application.organization.id, reason: why },
    });
    return application;
  });
}

/** A consortium's applications, for its members (consortium.view); default the PENDING ones. */
export async function consortiumApplications(
  ctx: GatewayContext,
  { acting }: ConsortiumGrant,
  args: ConsortiumApplicationsArgs,
  info?: GraphQLResolveInfo,
): Promise<Page<Application>> {
  const where = { consortium: acting.consortiumId, status: args.status ?? ApplicationStatus.PENDING };
  return keysetPage(ctx, Application, where, args, info);
}
