// Invitations (and proposals, see proposal.expiry.ts) expire twice over: lazily, when someone touches one past its expiry, and by a
// sweeper every minute. Both go through expireInvitation, a conditional update, so however many
// gateway instances and requests meet one invitation, it is marked EXPIRED and announced once.
import { ServiceKey } from '../../registry';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppServices } from '../../graphql/context';
import { EventKind } from '../event/event.entity';
import { InvitationStatus } from './invitation.entity';
import { recordEvent } from '../event/event.recorder';
import { sweepExpiredProposals } from '../proposal/proposal.expiry';

/** How often the sweeper looks for invitations past their expiry. */
export const SWEEP_INTERVAL_MS = 60_000; // default of INVITATION_SWEEP_SECONDS
const SWEEP_BATCH = 200;
const REGISTRY_KEY = new ServiceKey<Sweeper>('invitationSweeper');

/**
 * Marks one invitation EXPIRED if it is still PENDING and past its expiry, and records
 * INVITATION_EXPIRED in the same transaction. Returns false when there was nothing to do.
 */
export async function expireInvitation(em: EntityManager, invitationId: string): Promise<boolean> {
  const rows = await em.execute<
    { consortium_id: string; invitee_organization_id: string; inviting_membership_id: string; expires_at: Date }[]
  >(
    `update invitation set status = ?, decided_at = now()
      where id = ? and status = ? and expires_at <= now()
      returning consortium_id, invitee_organization_id, inviting_membership_id, expires_at`,
    [InvitationStatus.EXPIRED, invitationId, InvitationStatus.PENDING],
  );
  const row = rows[0];
  if (!row) return false;
  await recordEvent(em, {
    kind: EventKind.INVITATION_EXPIRED,
    consortiumId: row.consortium_id,
    actor: { userId: null, organizationId: null, membershipId: null },
    subject: { type: 'Invitation', id: invitationId },
    audienceOrganizationId: row.invitee_organization_id,
    payload: {
      invitationId,
      inviteeOrganizationId: row.invitee_organization_id,
      invitingMembershipId: row.inviting_membership_id,
      expiresAt: new Date(row.expires_at).toISOString(),
    },
  });
  return true;
}

/** Expires every PENDING invitation past its expiry, each in its own transaction; returns how many. */
export async function sweepExpiredInvitations(em: EntityManager): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await em.execute<{ id: string }[]>(
      `select id from invitation where status = ? and expires_at <= now() order by expires_at limit ?`,
      [InvitationStatus.PENDING, SWEEP_BATCH],
    );
    for (const { id } of due) {
      if (await em.fork().transactional((tem) => expireInvitation(tem as EntityManager, id))) expired++;
    }
    if (due.length < SWEEP_BATCH) return expired;
  }
}

interface Sweeper {
  timer: NodeJS.Timeout;
  running: Promise<unknown> | null;
}

/** Starts the periodic sweep; the timer does not keep the process alive. */
export function startInvitationSweeper(app: AppServices, intervalMs = app.config.invitationSweepSeconds * 1000 || SWEEP_INTERVAL_MS): void {
  const sweeper: Sweeper = {
    running: null,
    timer: setInterval(() => {
      if (sweeper.running) return; // a slow sweep is still at work: skip this tick
      // The same timer expires proposals past their deadline (§8.3).
      sweeper.running = Promise.all([
        sweepExpiredInvitations(app.orm.em.fork() as EntityManager)
          .then((n) => n > 0 && app.log.info({ expired: n }, 'invitations expired'))
          .catch((err) => app.log.error({ err }, 'invitation sweep failed')),
        sweepExpiredProposals(app.orm.em.fork() as EntityManager)
          .then((n) => n > 0 && app.log.info({ expired: n }, 'proposals expired'))
          .catch((err) => app.log.error({ err }, 'proposal sweep failed')),
      ])
        .finally(() => {
          sweeper.running = null;
        });
    }, intervalMs),
  };
  sweeper.timer.unref();
  app.registry.set(REGISTRY_KEY, sweeper);
}

/** Stops the sweep and waits for one in progress, so the database can close after it. */
export async function stopInvitationSweeper(app: AppServices): Promise<void> {
  const sweeper = app.registry.get(REGISTRY_KEY);
  if (!sweeper) return;
  clearInterval(sweeper.timer);
  app.registry.delete(REGISTRY_KEY);
  await sweeper.running;
}
