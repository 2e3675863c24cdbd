// §8.3: a consortium's voting policy — which kinds of change go to a vote, and how a vote is won.
// Pure: the service stores the policy and hands it here; nothing is read or written.
import { ALLOW, deny, type Decision } from './decision';
import type { ConsortiumAction } from './grid';

/** The kinds of change a consortium may decide by vote (§8.3). */
export enum ProposalKind {
  INVITE = 'INVITE',
  REMOVE_MEMBER = 'REMOVE_MEMBER',
  TRANSFER_ADMINISTRATION = 'TRANSFER_ADMINISTRATION',
  CHANGE_POLICY = 'CHANGE_POLICY',
}

/** How the YES share is compared with the threshold. */
export enum ThresholdComparator {
  GREATER_THAN = 'GREATER_THAN',
  GREATER_THAN_OR_EQUAL_TO = 'GREATER_THAN_OR_EQUAL_TO',
}

/** Every proposal kind, in the spec's order; policies are stored in this order so they compare equal. */
export const ALL_PROPOSAL_KINDS: readonly ProposalKind[] = Object.freeze([
  ProposalKind.INVITE,
  ProposalKind.REMOVE_MEMBER,
  ProposalKind.TRANSFER_ADMINISTRATION,
  ProposalKind.CHANGE_POLICY,
]);

/** A consortium's voting policy; a proposal copies its terms when it is created. */
export interface VotingPolicy {
  /** 1–100: the YES share of all voters, in percent, that decides. */
  thresholdPercent: number;
  comparator: ThresholdComparator;
  /** 1 hour to 30 days, in whole hours. */
  durationHours: number;
  /** Kinds whose direct action is refused: they go through a proposal. */
  needsVote: readonly ProposalKind[];
}

export const MIN_THRESHOLD_PERCENT = 1;
export const MAX_THRESHOLD_PERCENT = 100;
export const MIN_DURATION_HOURS = 1;
export const MAX_DURATION_HOURS = 30 * 24;

/** §8.3 default: no kind needs a vote, so the grids decide alone; a simple majority of 24 hours once one does. */
export const DEFAULT_VOTING_POLICY: Readonly<VotingPolicy> = Object.freeze({
  thresholdPercent: 50,
  comparator: ThresholdComparator.GREATER_THAN,
  durationHours: 24,
  needsVote: Object.freeze([]) as readonly ProposalKind[],
});

/** The direct action each proposal kind stands for: where the kind needs a vote, that action is refused. */
export const DIRECT_ACTION_OF_KIND: Readonly<Record<ProposalKind, ConsortiumAction>> = Object.freeze({
  [ProposalKind.INVITE]: 'organization.invite',
  [ProposalKind.REMOVE_MEMBER]: 'member.remove',
  [ProposalKind.TRANSFER_ADMINISTRATION]: 'administration.transfer',
  [ProposalKind.CHANGE_POLICY]: 'votingPolicy.update',
});

/** The proposal kind a direct action belongs to, if any. */
export function proposalKindOf(action: ConsortiumAction): ProposalKind | undefined {
  return ALL_PROPOSAL_KINDS.find((kind) => DIRECT_ACTION_OF_KIND[kind] === action);
}

/** Does this kind of change need a vote under the policy? */
export function needsVote(policy: Pick<VotingPolicy, 'needsVote'>, kind: ProposalKind): boolean {
  return policy.needsVote.includes(kind);
}

// A refusal no role can lift: 'integrity', which the GraphQL layer answers with CONFLICT; the
// reason names the route that is open instead.
/** §8.3: a direct action whose kind needs a vote is refused, naming the proposal route. */
export function decideDirectAction(action: ConsortiumAction, policy: Pick<VotingPolicy, 'needsVote'>): Decision {
  const kind = proposalKindOf(action);
  if (kind === undefined || !needsVote(policy, kind)) return ALLOW;
  return deny(`this consortium decides ${kind} by vote: create a ${kind} proposal (proposal.create) instead`, {
    kind: 'integrity',
    need: `a ${kind} proposal`,
    have: 'a direct request',
  });
}

/** What a client may send as a policy; every field is checked, none is trusted. */
export interface VotingPolicyInput {
  thresholdPercent: unknown;
  comparator: unknown;
  durationHours: unknown;
  needsVote: unknown;
}

export type VotingPolicyResult =
  | { ok: true; policy: VotingPolicy }
  | { ok: false; code: 'BAD_USER_INPUT'; field: keyof VotingPolicy; reason: string };

const bad = (field: keyof VotingPolicy, reason: string): VotingPolicyResult => ({ ok: false, code: 'BAD_USER_INPUT', field, reason });

function isWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** §8.3 bounds: threshold 1–100, a known comparator, duration 1 h – 30 days, known kinds (deduplicated, in order). */
export function validateVotingPolicy(input: VotingPolicyInput): VotingPolicyResult {
  const { thresholdPercent, comparator, durationHours, needsVote: kinds } = input;
  if (!isWhole(thresholdPercent) || thresholdPercent < MIN_THRESHOLD_PERCENT || thresholdPercent > MAX_THRESHOLD_PERCENT) {
    return bad('thresholdPercent', `the threshold must be a whole percentage from ${MIN_THRESHOLD_PERCENT} to ${MAX_THRESHOLD_PERCENT} (got ${String(thresholdPercent)})`);
  }
  if (!Object.values(ThresholdComparator).includes(comparator as ThresholdComparator)) {
    return bad('comparator', `the comparator must be ${Object.values(ThresholdComparator).join(' or ')} (got ${String(comparator)})`);
  }
  // A share can never exceed 100 %: such a policy would pass nothing, ever, not even its own change.
  if (comparator === ThresholdComparator.GREATER_THAN && thresholdPercent === MAX_THRESHOLD_PERCENT) {
    return bad('thresholdPercent', `no proposal could ever pass with ${ThresholdComparator.GREATER_THAN} ${MAX_THRESHOLD_PERCENT}%: use ${ThresholdComparator.GREATER_THAN_OR_EQUAL_TO} ${MAX_THRESHOLD_PERCENT}% for unanimity`);
  }
  if (!isWhole(durationHours) || durationHours < MIN_DURATION_HOURS || durationHours > MAX_DURATION_HOURS) {
    return bad('durationHours', `the duration must be a whole number of hours from ${MIN_DURATION_HOURS} (1 hour) to ${MAX_DURATION_HOURS} (30 days) (got ${String(durationHours)})`);
  }
  if (!Array.isArray(kinds)) return bad('needsVote', 'needsVote must be a list of proposal kinds');
  const unknown = kinds.filter((k) => !ALL_PROPOSAL_KINDS.includes(k as ProposalKind));
  if (unknown.length > 0) {
    return bad('needsVote', `unknown proposal kind ${[...new Set(unknown.map(String))].join(', ')}; known: ${ALL_PROPOSAL_KINDS.join(', ')}`);
  }
  return {
    ok: true,
    policy: {
      thresholdPercent,
      comparator: comparator as ThresholdComparator,
      durationHours,
      needsVote: ALL_PROPOSAL_KINDS.filter((k) => kinds.includes(k)),
    },
  };
}

/** The terms a proposal keeps for life: a later policy change never reaches an open proposal (§8.3). */
export interface ProposalTerms {
  thresholdPercent: number;
  comparator: ThresholdComparator;
  expiresAt: Date;
}

/** Copies the policy's threshold and comparator and fixes the deadline from the creation time. */
export function proposalTerms(policy: VotingPolicy, createdAt: Date): ProposalTerms {
  return {
    thresholdPercent: policy.thresholdPercent,
    comparator: policy.comparator,
    expiresAt: new Date(createdAt.getTime() + policy.durationHours * 3_600_000),
  };
}
