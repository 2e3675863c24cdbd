// §6 Apply: an organization applies to join (or accepted a MEMBER's invitation); an administrator
// approves (the membership becomes ACTIVE with the application's permissions: none for a plain
// application) or rejects with a reason. Decisions lock the row: one of racing decisions wins.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound } from '../../errors';
import { ConsortiumRole, MembershipStatus } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import { keysetPage, type Page } from '../../graphql/pagination';
import { requireId, requireText } from '../../validation';
import { Application, ApplicationStatus } from '../application/application.entity';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { Invitation } from '../invitation/invitation.entity';
import { User } from '../user/user.entity';
import type { ApplyToJoinInput, ApproveApplicationPayload, ConsortiumApplicationsArgs } from './application.types';
import { Membership } from './membership.entity';
import {
  actingMembership,
  DISPLAY_NAME_MAX,
  displayNameFor,
  liveConsortiumName,
  maySeeRequest,
  optionalText,
  organizationFacts,
  requireNoPendingApplication,
  requireSeat,
  TEXT_MAX,
  rowScope,
  uniquely,
} from './workflow';

/** The consortium scope of an application for decisions: null unless the caller's organization is a member there. */
export const applicationScope = (ctx: GatewayContext, id: string, membershipId?: string | null) =>
  rowScope(ctx, Application, id, membershipId);

/** Submits an application to join; records APPLICATION_SUBMITTED. */
export async function applyToJoin(ctx: GatewayContext, input: ApplyToJoinInput): Promise<Application> {
  const consortiumId = requireId(input.consortiumId, 'Consortium');
  // Account role, and the seat rule: no current membership there, or one with MULTIPLE_MEMBERSHIPS.
  await ctx.authz.requireTowards('application.submit', consortiumId);
  const user = ctx.authz.requireUser();
  const orgId = ctx.authz.requireOrganizationId();
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
export async function withdrawApplication(ctx: GatewayContext, id: string): Promise<Application> {
  await ctx.authz.requireTowards('application.submit');
  const user = ctx.authz.requireUser();
  const orgId = ctx.authz.requireOrganizationId();
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
export async function approveApplication(ctx: GatewayContext, id: string, membershipId?: string | null): Promise<ApproveApplicationPayload> {
  const scope = await applicationScope(ctx, id, membershipId);
  if (!scope) throw notFound('Application', id);
  const acting = await ctx.authz.requireConsortium('application.decide', scope.consortiumId, scope);
  const approver = actingMembership(acting);
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
export async function rejectApplication(ctx: GatewayContext, id: string, reason: string, membershipId?: string | null): Promise<Application> {
  const scope = await applicationScope(ctx, id, membershipId);
  if (!scope) throw notFound('Application', id);
  const acting = await ctx.authz.requireConsortium('application.decide', scope.consortiumId, scope);
  const approver = actingMembership(acting);
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

/** One application, for the applicant's OWNER/ADMIN users and the consortium's members. */
export async function getApplication(ctx: GatewayContext, id: string): Promise<Application> {
  ctx.authz.requireUser();
  requireId(id, 'Application');
  const application = await ctx.em.findOne(Application, id);
  if (!application) throw notFound('Application', id);
  const request = { organizationId: application.organization.id, consortiumId: application.consortium.id };
  if (!(await maySeeRequest(ctx, request, 'application.submit'))) throw notFound('Application', id);
  return application;
}

/** A consortium's applications, for its members (consortium.view); default the PENDING ones. */
export async function consortiumApplications(ctx: GatewayContext, args: ConsortiumApplicationsArgs): Promise<Page<Application>> {
  await ctx.authz.requireConsortium('consortium.view', args.consortiumId);
  const where = { consortium: args.consortiumId, status: args.status ?? ApplicationStatus.PENDING };
  return keysetPage(ctx.em, Application, where, args, ctx.app.config.limits.maxPageSize);
}
