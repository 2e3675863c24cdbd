// §8.3: who votes on a proposal, how the votes add up, and when the outcome is certain. Pure: the
// service locks the proposal, loads its votes and asks here, so 50 votes arriving at once are
// decided by whichever transaction sees the deciding count, exactly once.
import { ALLOW, deny, type Decision } from './decision';
import { organizationFrozen } from './freeze';
import { MembershipStatus } from './roles';
import { ThresholdComparator, type ProposalTerms } from './voting-policy';

/** Lifecycle of a proposal. An approved one is carried out at once, so it is stored as EXECUTED or ACTION_FAILED. */
export enum ProposalStatus {
  IN_PROGRESS = 'IN_PROGRESS',
  EXECUTED = 'EXECUTED',
  ACTION_FAILED = 'ACTION_FAILED',
  REJECTED = 'REJECTED',
  EXPIRED = 'EXPIRED',
  WITHDRAWN = 'WITHDRAWN',
}

/** A vote: cast once, final. */
export enum VoteChoice {
  YES = 'YES',
  NO = 'NO',
}

/** What the votes say: decided one way, the other, or not yet certain. */
export enum TallyOutcome {
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  UNDECIDED = 'UNDECIDED',
}

/** A membership as the voter roll needs it. */
export interface VoterMembership {
  organizationId: string;
  status: MembershipStatus;
}

/**
 * §8.3 voters: one per organization holding an ACTIVE membership when the proposal is created;
 * an organization with several memberships still has one vote; a frozen organization (any of its
 * memberships FROZEN, §8.1) has none. Sorted, so the roll is stable.
 */
export function eligibleVoters(memberships: readonly VoterMembership[]): string[] {
  const byOrganization = new Map<string, VoterMembership[]>();
  for (const m of memberships) byOrganization.set(m.organizationId, [...(byOrganization.get(m.organizationId) ?? []), m]);
  const voters: string[] = [];
  for (const [organizationId, own] of byOrganization) {
    if (own.some((m) => m.status === MembershipStatus.ACTIVE) && !organizationFrozen(own)) voters.push(organizationId);
  }
  return voters.sort();
}

export interface Tally {
  voters: number;
  yes: number;
  no: number;
  /** Voters who have not voted yet. */
  pending: number;
}

/** Counts the votes of a roll; votes of organizations outside the roll are ignored. */
export function tallyVotes(voters: readonly string[], votes: readonly { organizationId: string; choice: VoteChoice }[]): Tally {
  const roll = new Set(voters);
  const counted = new Map<string, VoteChoice>();
  for (const v of votes) if (roll.has(v.organizationId) && !counted.has(v.organizationId)) counted.set(v.organizationId, v.choice);
  const yes = [...counted.values()].filter((c) => c === VoteChoice.YES).length;
  const no = counted.size - yes;
  return { voters: roll.size, yes, no, pending: roll.size - counted.size };
}

// Integer arithmetic: yes/voters against percent/100 without floating point, so 2 of 3 against
// 66 % and 67 % land exactly where a person would put them.
/** Does a YES count, out of all voters, pass the threshold? With no voters nothing passes. */
export function passesThreshold(terms: Pick<ProposalTerms, 'thresholdPercent' | 'comparator'>, yes: number, voters: number): boolean {
  if (voters <= 0) return false;
  const share = yes * 100;
  const bar = terms.thresholdPercent * voters;
  return terms.comparator === ThresholdComparator.GREATER_THAN ? share > bar : share >= bar;
}

/**
 * §8.3 outcome, decided the moment it is certain: APPROVED as soon as the YES share of all voters
 * passes the threshold; REJECTED as soon as it no longer can (even if every voter still to vote
 * said YES); otherwise UNDECIDED.
 */
export function proposalOutcome(terms: Pick<ProposalTerms, 'thresholdPercent' | 'comparator'>, t: Tally): TallyOutcome {
  if (passesThreshold(terms, t.yes, t.voters)) return TallyOutcome.APPROVED;
  if (!passesThreshold(terms, t.yes + t.pending, t.voters)) return TallyOutcome.REJECTED;
  return TallyOutcome.UNDECIDED;
}

/** A proposal as the decisions below need it. */
export interface ProposalState {
  status: ProposalStatus;
  expiresAt: Date;
  /** The organizations holding a vote, fixed at creation. */
  voters: readonly string[];
  proposerOrganizationId: string;
}

// The deadline is exclusive: at expiresAt the proposal is over, so a vote racing the deadline is
// either before it (counted) or not (refused), never both.
/** True once the deadline has come for a proposal still in progress: the sweeper marks it EXPIRED. */
export function hasExpired(proposal: Pick<ProposalState, 'status' | 'expiresAt'>, now: Date): boolean {
  return proposal.status === ProposalStatus.IN_PROGRESS && now.getTime() >= proposal.expiresAt.getTime();
}

function notOpen(proposal: Pick<ProposalState, 'status' | 'expiresAt'>, now: Date): Decision | null {
  if (proposal.status !== ProposalStatus.IN_PROGRESS) {
    return deny(`the proposal is ${proposal.status}, no longer ${ProposalStatus.IN_PROGRESS}`, {
      kind: 'integrity',
      need: ProposalStatus.IN_PROGRESS,
      have: proposal.status,
    });
  }
  if (hasExpired(proposal, now)) {
    return deny(`the proposal's deadline (${proposal.expiresAt.toISOString()}) has passed`, {
      kind: 'integrity',
      need: 'before the deadline',
      have: ProposalStatus.EXPIRED,
    });
  }
  return null;
}

/**
 * §8.3 casting a vote, after decideConsortium('proposal.vote'): the proposal is open and before
 * its deadline, the organization is on the roll, is not frozen now, and has not voted yet.
 */
export function canCastVote(input: {
  proposal: Pick<ProposalState, 'status' | 'expiresAt' | 'voters'>;
  organizationId: string;
  /** The voting organization's memberships in the consortium now. */
  memberships: readonly { status: MembershipStatus }[];
  alreadyVoted: boolean;
  now: Date;
}): Decision {
  const closed = notOpen(input.proposal, input.now);
  if (closed) return closed;
  if (!input.proposal.voters.includes(input.organizationId)) {
    return deny('your organization had no ACTIVE membership when the proposal was created, so it holds no vote on it', {
      kind: 'membership',
      need: 'a vote on this proposal',
      have: 'none',
    });
  }
  if (organizationFrozen(input.memberships)) {
    return deny('your organization is frozen in this consortium: frozen organizations do not vote', {
      kind: 'status',
      need: MembershipStatus.ACTIVE,
      have: MembershipStatus.FROZEN,
    });
  }
  if (input.alreadyVoted) {
    return deny('your organization has voted on this proposal already; a vote is final', {
      kind: 'integrity',
      need: 'no earlier vote',
      have: 'a vote cast',
    });
  }
  return ALLOW;
}

/** §8.3: the proposer's organization may withdraw while the proposal is IN_PROGRESS (after decideConsortium('proposal.create')). */
export function canWithdrawProposal(input: {
  proposal: Pick<ProposalState, 'status' | 'expiresAt' | 'proposerOrganizationId'>;
  organizationId: string;
  now: Date;
}): Decision {
  if (input.proposal.proposerOrganizationId !== input.organizationId) {
    return deny('only the organization that made the proposal may withdraw it', {
      kind: 'ownership',
      need: 'own proposal',
      have: "another organization's proposal",
    });
  }
  return notOpen(input.proposal, input.now) ?? ALLOW;
}
