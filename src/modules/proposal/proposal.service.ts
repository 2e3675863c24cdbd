// §8.3 proposals and votes. A proposal copies the policy's terms and fixes its roll of voters when
// it is created. Every vote locks the proposal row, so of 50 votes arriving at once exactly one
// sees the count that makes the outcome certain; that transaction carries the action out (in a
// savepoint: a refused action rolls back alone and the proposal is ACTION_FAILED with the reason).
// The deadline is read from the database clock under the same lock, so a vote racing it is either
// counted or refused, and the sweeper (proposal.expiry.ts) expires only what is still open.
import type { GraphQLResolveInfo } from 'graphql';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Acting } from '../../auth/acting';
import { AppError, badInput, conflict, notFound, refusal } from '../../errors';
import {
  canCastVote,
  canRemoveMember,
  canTransferAdministration,
  canWithdrawProposal,
  ConsortiumRole,
  eligibleVoters,
  hasExpired,
  MembershipStatus,
  Permission,
  ProposalKind,
  proposalOutcome,
  ProposalStatus,
  proposalTerms,
  tallyVotes,
  TallyOutcome,
  type SeatView,
  type Tally,
  type VoteChoice,
  type VotingPolicy,
} from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { keysetPage, type Page } from '../../graphql/pagination';
import { requireId } from '../../validation';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent, type NewEvent } from '../event/event.recorder';
import { currentAdministratorId, handOverAdministration } from '../membership/administration';
import { sendInvitation } from '../membership/invitation.service';
import { lifetimeDays, optionalText, TEXT_MAX } from '../membership/membership.input';
import { organizationFacts, requireSeat } from '../membership/membership.seats';
import { removeOrganization } from '../membership/removal';
import { Proposal } from './proposal.entity';
import { expireProposal } from './proposal.expiry';
import type { CreateProposalInput, ProposalAction, ProposalsArgs, ProposalTally, ProposalVote } from './proposal.types';
import { loadVotingPolicy, policyView, requireVotingPolicy, writeVotingPolicy } from './voting-policy.service';

/** What a proposal stores as its action, by kind. */
interface StoredAction {
  organizationId?: string;
  permissions?: Permission[] | null;
  membershipId?: string;
  policy?: VotingPolicy;
}

const ARGUMENT_OF_KIND: Record<ProposalKind, keyof CreateProposalInput> = {
  [ProposalKind.INVITE]: 'invite',
  [ProposalKind.REMOVE_MEMBER]: 'removeOrganizationId',
  [ProposalKind.TRANSFER_ADMINISTRATION]: 'transferToMembershipId',
  [ProposalKind.CHANGE_POLICY]: 'policy',
};

/** The one argument of the kind, and none of the others: BAD_USER_INPUT naming what is wrong. */
function requireArgumentOfKind(input: CreateProposalInput): void {
  const wanted = ARGUMENT_OF_KIND[input.kind];
  for (const [kind, field] of Object.entries(ARGUMENT_OF_KIND)) {
    const given = input[field] !== null && input[field] !== undefined;
    if (field === wanted && !given) throw badInput(`a ${input.kind} proposal needs ${field}`, { field });
    if (field !== wanted && given) throw badInput(`${field} belongs to a ${kind} proposal, not to ${input.kind}`, { field });
  }
}

async function seatsOf(em: EntityManager, consortiumId: string, organizationId: string): Promise<SeatView[]> {
  const rows = await em.execute<{ id: string; role: string; status: string }[]>(
    `select id, role, status from membership where consortium_id = ? and organization_id = ?`,
    [consortiumId, organizationId],
  );
  return rows.map((r) => ({ id: r.id, organizationId, role: r.role as ConsortiumRole, status: r.status as MembershipStatus }));
}

async function seat(em: EntityManager, consortiumId: string, id: string): Promise<SeatView | null> {
  const [row] = await em.execute<{ id: string; organization_id: string; role: string; status: string }[]>(
    `select id, organization_id, role, status from membership where id = ? and consortium_id = ?`,
    [id, consortiumId],
  );
  return row ? { id: row.id, organizationId: row.organization_id, role: row.role as ConsortiumRole, status: row.status as MembershipStatus } : null;
}

/** Checks the action as it stands now (the same rules run again when it is carried out). */
async function checkedAction(em: EntityManager, consortiumId: string, input: CreateProposalInput): Promise<StoredAction> {
  requireArgumentOfKind(input);
  switch (input.kind) {
    case ProposalKind.INVITE: {
      const organizationId = requireId(input.invite!.organizationId, 'Organization');
      if (!(await organizationFacts(em, organizationId))) throw notFound('Organization', organizationId);
      await requireSeat(em, consortiumId, organizationId);
      return { organizationId, permissions: input.invite!.permissions ?? null };
    }
    case ProposalKind.REMOVE_MEMBER: {
      const organizationId = requireId(input.removeOrganizationId!, 'Organization');
      const seats = await seatsOf(em, consortiumId, organizationId);
      if (seats.length === 0) throw notFound('Organization', organizationId);
      const decision = canRemoveMember(seats);
      if (!decision.allowed) throw refusal('member.remove', decision);
      return { organizationId };
    }
    case ProposalKind.TRANSFER_ADMINISTRATION: {
      const membershipId = requireId(input.transferToMembershipId!, 'Membership');
      const to = await seat(em, consortiumId, membershipId);
      if (!to) throw notFound('Membership', membershipId);
      const fromId = await currentAdministratorId(em, consortiumId);
      const from = fromId ? await seat(em, consortiumId, fromId) : null;
      if (!from) throw conflict('The consortium has no ACTIVE ADMINISTRATOR membership to hand over from');
      const decision = canTransferAdministration({ from, to, toOrganizationMemberships: await seatsOf(em, consortiumId, to.organizationId) });
      if (!decision.allowed) throw refusal('administration.transfer', decision);
      return { membershipId };
    }
    case ProposalKind.CHANGE_POLICY:
      return { policy: requireVotingPolicy(input.policy!) };
  }
}

/** §8.3 creation: terms copied from the policy, the roll of voters fixed, PROPOSAL_CREATED to the consortium and to every voter. */
export async function createProposal(ctx: GatewayContext, { acting, scope }: ConsortiumGrant, input: CreateProposalInput): Promise<Proposal> {
  const description = optionalText(input.description, 'description', TEXT_MAX, { multiline: true });
  const consortiumId = scope.consortiumId;
  return ctx.em.transactional(async (em) => {
    const action = await checkedAction(em, consortiumId, input);
    // The policy row is locked against a change committing between reading it and creating the proposal.
    const policy = await loadVotingPolicy(em, consortiumId, true);
    const [{ now }] = await em.execute<{ now: Date }[]>('select clock_timestamp() as now');
    const createdAt = new Date(now);
    const terms = proposalTerms(policy, createdAt);
    const roll = await em.execute<{ organization_id: string; status: string }[]>(
      `select organization_id, status from membership where consortium_id = ? for share`,
      [consortiumId],
    );
    const voters = eligibleVoters(roll.map((m) => ({ organizationId: m.organization_id, status: m.status as MembershipStatus })));
    const proposal = em.create(Proposal, {
      consortium: consortiumId,
      kind: input.kind,
      action: action as Record<string, unknown>,
      description,
      proposerMembership: acting.membership.id,
      proposerOrganization: acting.organizationId,
      createdBy: acting.user.id,
      thresholdPercent: terms.thresholdPercent,
      comparator: terms.comparator,
      expiresAt: terms.expiresAt,
      createdAt,
    });
    await em.flush();
    await em.execute(
      `insert into proposal_voter (proposal_id, organization_id) select ?, unnest(?::uuid[])`,
      [proposal.id, `{${voters.join(',')}}`],
    );
    const payload = {
      proposalId: proposal.id,
      kind: input.kind,
      consortiumId,
      proposerMembershipId: acting.membership.id,
      description,
      voters,
      thresholdPercent: terms.thresholdPercent,
      comparator: terms.comparator,
      expiresAt: terms.expiresAt.toISOString(),
    };
    const actor = eventActor(acting);
    const subject = { type: 'Proposal', id: proposal.id };
    await recordEvent(em, { kind: EventKind.PROPOSAL_CREATED, consortiumId, actor, subject, payload });
    // One copy on each voter's organizationEvents feed (not on the consortium's, which has the one above).
    for (const organizationId of voters) {
      await recordEvent(em, { kind: EventKind.PROPOSAL_CREATED, consortiumId: null, actor, subject, audienceOrganizationId: organizationId, payload });
    }
    return proposal;
  });
}

/** Locks a proposal and reads the database clock after the lock is held. */
async function lockProposal(em: EntityManager, id: string): Promise<{ proposal: Proposal; now: Date }> {
  const proposal = await em.findOne(Proposal, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!proposal) throw notFound('Proposal', id);
  const [{ now }] = await em.execute<{ now: Date }[]>('select clock_timestamp() as now');
  return { proposal, now: new Date(now) };
}

interface VoterRow {
  organization_id: string;
  choice: VoteChoice | null;
}

async function votersOf(em: EntityManager, proposalId: string): Promise<VoterRow[]> {
  return em.execute<VoterRow[]>(`select organization_id, choice from proposal_voter where proposal_id = ? order by organization_id`, [proposalId]);
}

function tallyOf(rows: readonly VoterRow[]): Tally {
  return tallyVotes(
    rows.map((r) => r.organization_id),
    rows.filter((r) => r.choice !== null).map((r) => ({ organizationId: r.organization_id, choice: r.choice! })),
  );
}

type Outcome<T> = { value: T } | { expired: true };

/** Runs a change on an open proposal; one found past its deadline is marked EXPIRED (committed), then CONFLICT. */
async function onOpenProposal<T>(ctx: GatewayContext, id: string, change: (em: EntityManager, p: Proposal, now: Date) => Promise<T>): Promise<T> {
  const outcome: Outcome<T> = await ctx.em.transactional(async (em) => {
    const { proposal, now } = await lockProposal(em, id);
    if (hasExpired(proposal, now)) {
      await expireProposal(em, proposal.id);
      return { expired: true as const };
    }
    return { value: await change(em, proposal, now) };
  });
  if ('expired' in outcome) throw conflict('The proposal’s deadline has passed: it is EXPIRED', { status: ProposalStatus.EXPIRED });
  return outcome.value;
}

/** §8.3 a vote: counted once per organization, final; decides the proposal when the outcome is certain. */
export async function castVote(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Proposal>, choice: VoteChoice): Promise<Proposal> {
  return onOpenProposal(ctx, scope.row.id, async (em, proposal, now) => {
    const rows = await votersOf(em, proposal.id);
    const own = rows.find((r) => r.organization_id === acting.organizationId);
    const memberships = await em.execute<{ status: MembershipStatus }[]>(
      `select status from membership where consortium_id = ? and organization_id = ?`,
      [proposal.consortium.id, acting.organizationId],
    );
    const decision = canCastVote({
      proposal: { status: proposal.status, expiresAt: proposal.expiresAt, voters: rows.map((r) => r.organization_id) },
      organizationId: acting.organizationId,
      memberships,
      alreadyVoted: Boolean(own?.choice),
      now,
    });
    if (!decision.allowed) throw refusal('proposal.vote', decision);
    await em.execute(
      `update proposal_voter set choice = ?, voted_through_id = ?, voted_by_id = ?, voted_at = ? where proposal_id = ? and organization_id = ?`,
      [choice, acting.membership.id, acting.user.id, now, proposal.id, acting.organizationId],
    );
    own!.choice = choice;
    const tally = tallyOf(rows);
    const actor = eventActor(acting);
    await recordEvent(em, {
      kind: EventKind.VOTE_CAST,
      consortiumId: proposal.consortium.id,
      actor,
      subject: { type: 'Proposal', id: proposal.id },
      payload: { proposalId: proposal.id, kind: proposal.kind, organizationId: acting.organizationId, choice, yes: tally.yes, no: tally.no, pending: tally.pending },
    });
    const outcome = proposalOutcome(proposal, tally);
    if (outcome !== TallyOutcome.UNDECIDED) await decide(em, proposal, outcome, tally, actor, now, ctx.app.config.invitationTtlDays);
    return proposal;
  });
}

/** Records the outcome; an approved proposal's action runs now, in a savepoint of the deciding vote's transaction. */
async function decide(
  em: EntityManager,
  proposal: Proposal,
  outcome: TallyOutcome,
  tally: Tally,
  actor: NewEvent['actor'],
  now: Date,
  invitationTtlDays: number,
): Promise<void> {
  const consortiumId = proposal.consortium.id;
  const subject = { type: 'Proposal', id: proposal.id };
  const base = { proposalId: proposal.id, kind: proposal.kind };
  proposal.decidedAt = now;
  if (outcome === TallyOutcome.REJECTED) {
    proposal.status = ProposalStatus.REJECTED;
    await recordEvent(em, { kind: EventKind.PROPOSAL_REJECTED, consortiumId, actor, subject, payload: { ...base, ...tally } });
    return;
  }
  await recordEvent(em, { kind: EventKind.PROPOSAL_APPROVED, consortiumId, actor, subject, payload: { ...base, ...tally } });
  try {
    await em.transactional((inner) => carryOut(inner as EntityManager, proposal, actor, invitationTtlDays));
    proposal.status = ProposalStatus.EXECUTED;
    await recordEvent(em, { kind: EventKind.PROPOSAL_EXECUTED, consortiumId, actor, subject, payload: base });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    proposal.status = ProposalStatus.ACTION_FAILED;
    proposal.failureReason = error.message;
    await recordEvent(em, { kind: EventKind.PROPOSAL_ACTION_FAILED, consortiumId, actor, subject, payload: { ...base, reason: error.message } });
  }
}

/** The proposal's action, through the same state changes as the direct mutations. */
async function carryOut(em: EntityManager, proposal: Proposal, actor: NewEvent['actor'], invitationTtlDays: number): Promise<void> {
  const consortiumId = proposal.consortium.id;
  const action = proposal.action as StoredAction;
  switch (proposal.kind) {
    case ProposalKind.INVITE: {
      // The consortium invites: through its administrator's membership, so acceptance seats the organization at once.
      const adminId = await currentAdministratorId(em, consortiumId);
      if (!adminId) throw conflict('The consortium has no ACTIVE ADMINISTRATOR membership to invite through');
      const [admin] = await em.execute<{ display_name: string; organization_id: string; permissions: string[] }[]>(
        `select display_name, organization_id, permissions from membership where id = ?`,
        [adminId],
      );
      const acting = {
        consortiumId,
        user: { id: proposal.createdBy.id },
        organizationId: admin.organization_id,
        membership: {
          id: adminId,
          consortiumId,
          organizationId: admin.organization_id,
          displayName: admin.display_name,
          role: ConsortiumRole.ADMINISTRATOR,
          status: MembershipStatus.ACTIVE,
          permissions: admin.permissions as Permission[],
        },
      } as unknown as Acting;
      // The event names who proposed it; the invitation is the consortium administrator's.
      await sendInvitation(em, acting, { organizationId: action.organizationId!, permissions: action.permissions, days: lifetimeDays(null, invitationTtlDays) });
      return;
    }
    case ProposalKind.REMOVE_MEMBER:
      await removeOrganization(em, { consortiumId, organizationId: action.organizationId!, actor, decidedByUserId: actor.userId, proposalId: proposal.id });
      return;
    case ProposalKind.TRANSFER_ADMINISTRATION: {
      const fromMembershipId = await currentAdministratorId(em, consortiumId);
      if (!fromMembershipId) throw conflict('The consortium has no ACTIVE ADMINISTRATOR membership to hand over from');
      await handOverAdministration(em, { consortiumId, fromMembershipId, toMembershipId: action.membershipId!, actor, proposalId: proposal.id });
      return;
    }
    case ProposalKind.CHANGE_POLICY:
      await writeVotingPolicy(em, consortiumId, action.policy!, actor, proposal.id);
      return;
  }
}

/** §8.3 the proposer's organization withdraws its proposal while it is IN_PROGRESS. */
export async function withdrawProposal(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Proposal>): Promise<Proposal> {
  return onOpenProposal(ctx, scope.row.id, async (em, proposal, now) => {
    const decision = canWithdrawProposal({
      proposal: { status: proposal.status, expiresAt: proposal.expiresAt, proposerOrganizationId: proposal.proposerOrganization.id },
      organizationId: acting.organizationId,
      now,
    });
    if (!decision.allowed) throw refusal('proposal.create', decision);
    proposal.status = ProposalStatus.WITHDRAWN;
    proposal.decidedAt = now;
    await recordEvent(em, {
      kind: EventKind.PROPOSAL_WITHDRAWN,
      consortiumId: proposal.consortium.id,
      actor: eventActor(acting),
      subject: { type: 'Proposal', id: proposal.id },
      payload: { proposalId: proposal.id, kind: proposal.kind },
    });
    return proposal;
  });
}

/** The proposals of a consortium, oldest first, optionally of some statuses. */
export async function consortiumProposals(
  ctx: GatewayContext,
  { scope }: ConsortiumGrant,
  args: ProposalsArgs,
  info?: GraphQLResolveInfo,
): Promise<Page<Proposal>> {
  const where = { consortium: scope.consortiumId, ...(args.status?.length ? { status: { $in: args.status } } : {}) };
  return keysetPage(ctx, Proposal, where, args, info);
}

/** Proposals on which the caller's organization holds a vote not cast yet, in consortia the caller sees. */
export async function myPendingVotes(ctx: GatewayContext, organizationId: string, visible: string[]): Promise<Proposal[]> {
  if (visible.length === 0) return [];
  const rows = await ctx.em.execute<{ id: string }[]>(
    `select p.id from proposal p join proposal_voter v on v.proposal_id = p.id
      where v.organization_id = ? and v.choice is null and p.status = ? and p.expires_at > now() and p.consortium_id in (?)
      order by p.expires_at, p.id limit 500`,
    [organizationId, ProposalStatus.IN_PROGRESS, visible],
  );
  if (rows.length === 0) return [];
  const found = await ctx.em.find(Proposal, { id: { $in: rows.map((r) => r.id) } });
  const order = new Map(rows.map((r, i) => [r.id, i]));
  return found.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** The votes of a proposal: every voter of its roll with its choice, if cast. */
export async function proposalVotes(ctx: GatewayContext, proposal: Proposal): Promise<ProposalVote[]> {
  const rows = await ctx.em.execute<{ organization_id: string; name: string; choice: VoteChoice | null; voted_at: Date | null }[]>(
    `select v.organization_id, o.name, v.choice, v.voted_at from proposal_voter v join organization o on o.id = v.organization_id
      where v.proposal_id = ? order by o.name, v.organization_id`,
    [proposal.id],
  );
  return rows.map((r) => ({ organizationId: r.organization_id, organizationName: r.name, choice: r.choice, votedAt: r.voted_at ? new Date(r.voted_at) : null }));
}

export async function proposalTally(ctx: GatewayContext, proposal: Proposal): Promise<ProposalTally> {
  const tally = tallyOf(await votersOf(ctx.em as EntityManager, proposal.id));
  return { ...tally, outcome: proposalOutcome(proposal, tally) };
}

export function proposalAction(proposal: Proposal): ProposalAction {
  const a = proposal.action as StoredAction;
  return {
    organizationId: a.organizationId ?? null,
    permissions: a.permissions ?? null,
    membershipId: a.membershipId ?? null,
    policy: a.policy ? policyView(proposal.consortium.id, a.policy) : null,
  };
}
