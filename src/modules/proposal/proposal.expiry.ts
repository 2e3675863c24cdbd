// §8.3 EXPIRED at the deadline, even when no gateway request arrives then: the invitation sweeper
// runs sweepExpiredProposals on the same timer, and a vote or withdrawal that meets a proposal past
// its deadline expires it first. Both go through expireProposal, a conditional update under the
// proposal's row lock, so a proposal is expired and announced once, never after a deciding vote.
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProposalStatus, tallyVotes, type VoteChoice } from '../../governance';
import { EventKind } from '../event/event.entity';
import { recordEvent } from '../event/event.recorder';

const SWEEP_BATCH = 200;

/** Marks one proposal EXPIRED if it is still IN_PROGRESS and past its deadline; records PROPOSAL_EXPIRED. */
export async function expireProposal(em: EntityManager, proposalId: string): Promise<boolean> {
  const [row] = await em.execute<{ consortium_id: string; kind: string; expires_at: Date }[]>(
    `update proposal set status = ?, decided_at = clock_timestamp()
      where id = ? and status = ? and expires_at <= clock_timestamp()
      returning consortium_id, kind, expires_at`,
    [ProposalStatus.EXPIRED, proposalId, ProposalStatus.IN_PROGRESS],
  );
  if (!row) return false;
  const voters = await em.execute<{ organization_id: string; choice: VoteChoice | null }[]>(
    `select organization_id, choice from proposal_voter where proposal_id = ?`,
    [proposalId],
  );
  const tally = tallyVotes(
    voters.map((v) => v.organization_id),
    voters.filter((v) => v.choice !== null).map((v) => ({ organizationId: v.organization_id, choice: v.choice! })),
  );
  await recordEvent(em, {
    kind: EventKind.PROPOSAL_EXPIRED,
    consortiumId: row.consortium_id,
    actor: { userId: null, organizationId: null, membershipId: null },
    subject: { type: 'Proposal', id: proposalId },
    payload: { proposalId, kind: row.kind, ...tally, expiresAt: new Date(row.expires_at).toISOString() },
  });
  return true;
}

/** Expires every IN_PROGRESS proposal past its deadline, each in its own transaction; returns how many. */
export async function sweepExpiredProposals(em: EntityManager): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await em.execute<{ id: string }[]>(
      `select id from proposal where status = ? and expires_at <= now() order by expires_at limit ?`,
      [ProposalStatus.IN_PROGRESS, SWEEP_BATCH],
    );
    for (const { id } of due) {
      if (await em.fork().transactional((tem) => expireProposal(tem as EntityManager, id))) expired++;
    }
    if (due.length < SWEEP_BATCH) return expired;
  }
}
