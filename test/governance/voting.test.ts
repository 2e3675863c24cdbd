import { describe, expect, it } from 'vitest';
import {
  ALL_PROPOSAL_KINDS,
  DEFAULT_VOTING_POLICY,
  DIRECT_ACTION_OF_KIND,
  canCastVote,
  canWithdrawProposal,
  decideConsortium,
  eligibleVoters,
  hasExpired,
  passesThreshold,
  proposalOutcome,
  proposalTerms,
  tallyVotes,
  validateVotingPolicy,
  type ConsortiumAction,
  type ConsortiumActor,
  type ConsortiumRole,
  type EffectiveRole,
  type MembershipStatus,
  type ProposalKind,
  type ProposalStatus,
  type ThresholdComparator,
  type VoteChoice,
} from '../../src/governance';
import { matrix } from './matrix';

const V = matrix.voting;
const GT = 'GREATER_THAN' as ThresholdComparator;
const GTE = 'GREATER_THAN_OR_EQUAL_TO' as ThresholdComparator;
const policy = (over: Partial<Record<string, unknown>> = {}) => ({
  thresholdPercent: 50,
  comparator: 'GREATER_THAN',
  durationHours: 24,
  needsVote: [],
  ...over,
});

describe('§8.3 voting policy: validation', () => {
  it('the kinds are the spec\'s four, each standing for its direct action', () => {
    expect([...ALL_PROPOSAL_KINDS]).toEqual(V.kinds);
    expect({ ...DIRECT_ACTION_OF_KIND }).toEqual(V.directActionOfKind);
  });

  it('by default no kind needs a vote', () => {
    expect([...DEFAULT_VOTING_POLICY.needsVote]).toEqual(V.defaultNeedsVote);
    expect(validateVotingPolicy(DEFAULT_VOTING_POLICY).ok).toBe(true);
  });

  it.each([
    [V.thresholdPercent.min, true],
    [V.thresholdPercent.max, true],
    [V.thresholdPercent.min - 1, false],
    [V.thresholdPercent.max + 1, false],
    [50.5, false],
    ['50', false],
    [null, false],
  ])('threshold %s with GREATER_THAN_OR_EQUAL_TO → valid %s', (thresholdPercent, valid) => {
    const result = validateVotingPolicy(policy({ thresholdPercent, comparator: GTE }));
    expect(result.ok).toBe(valid);
    if (!result.ok) expect(result).toMatchObject({ code: 'BAD_USER_INPUT', field: 'thresholdPercent' });
  });

  it('GREATER_THAN 100 % could never pass: refused, pointing to GREATER_THAN_OR_EQUAL_TO', () => {
    const result = validateVotingPolicy(policy({ thresholdPercent: 100, comparator: GT }));
    expect(result).toMatchObject({ ok: false, code: 'BAD_USER_INPUT', field: 'thresholdPercent', reason: expect.stringContaining('GREATER_THAN_OR_EQUAL_TO') });
  });

  it.each([
    [V.durationHours.min, true],
    [V.durationHours.max, true],
    [0, false],
    [V.durationHours.max + 1, false],
    [1.5, false],
  ])('duration %s hours → valid %s', (durationHours, valid) => {
    const result = validateVotingPolicy(policy({ durationHours }));
    expect(result.ok).toBe(valid);
    if (!result.ok) expect(result).toMatchObject({ code: 'BAD_USER_INPUT', field: 'durationHours' });
  });

  it('the comparators are the two of the spec; anything else is refused', () => {
    for (const comparator of V.comparators) expect(validateVotingPolicy(policy({ comparator })).ok).toBe(true);
    expect(validateVotingPolicy(policy({ comparator: 'LESS_THAN' }))).toMatchObject({ ok: false, field: 'comparator' });
  });

  it('kinds are checked, deduplicated and put in the spec\'s order', () => {
    const result = validateVotingPolicy(policy({ needsVote: ['CHANGE_POLICY', 'INVITE', 'INVITE'] }));
    expect(result).toMatchObject({ ok: true, policy: { needsVote: ['INVITE', 'CHANGE_POLICY'] } });
    expect(validateVotingPolicy(policy({ needsVote: ['FREEZE'] }))).toMatchObject({ ok: false, field: 'needsVote', reason: expect.stringContaining('FREEZE') });
    expect(validateVotingPolicy(policy({ needsVote: 'INVITE' }))).toMatchObject({ ok: false, field: 'needsVote' });
  });

  it('a proposal keeps the terms of the policy it was created under', () => {
    const createdAt = new Date('2026-01-01T00:00:00Z');
    const terms = proposalTerms({ thresholdPercent: 66, comparator: GTE, durationHours: 48, needsVote: [] }, createdAt);
    expect(terms).toEqual({ thresholdPercent: 66, comparator: GTE, expiresAt: new Date('2026-01-03T00:00:00Z') });
  });
});

describe('§8.3 a direct action whose kind needs a vote is CONFLICT, naming the proposal route', () => {
  const administrator: ConsortiumActor = {
    membership: { id: 'm', role: 'ADMINISTRATOR' as ConsortiumRole, status: 'ACTIVE' as MembershipStatus, permissions: [] },
    effectiveRole: 'OWNER' as EffectiveRole,
  };
  const cases = V.kinds.flatMap((kind) => V.kinds.map((needed) => ({ kind, needed, refused: kind === needed })));

  it.each(cases)('$kind while $needed needs a vote → refused $refused', ({ kind, needed, refused }) => {
    const action = V.directActionOfKind[kind] as ConsortiumAction;
    const decision = decideConsortium(action, administrator, { votingPolicy: { needsVote: [needed as ProposalKind] } });
    if (!refused) expect(decision).toEqual({ allowed: true });
    else {
      expect(decision).toMatchObject({ allowed: false, missing: { kind: 'integrity', need: `a ${kind} proposal` } });
      if (!decision.allowed) expect(decision.reason).toContain('proposal.create');
    }
  });

  it('without a voting policy in scope, or with the default one, the grid decides alone', () => {
    for (const kind of V.kinds) {
      const action = V.directActionOfKind[kind] as ConsortiumAction;
      expect(decideConsortium(action, administrator)).toEqual({ allowed: true });
      expect(decideConsortium(action, administrator, { votingPolicy: DEFAULT_VOTING_POLICY })).toEqual({ allowed: true });
    }
  });

  it('a caller the grid refuses is told that, not sent to a vote', () => {
    const member: ConsortiumActor = { ...administrator, membership: { ...administrator.membership!, role: 'MEMBER' as ConsortiumRole } };
    const decision = decideConsortium('organization.invite', member, { votingPolicy: { needsVote: ['INVITE' as ProposalKind] } });
    expect(decision).toMatchObject({ allowed: false, missing: { kind: 'permission', need: 'INVITE_ORGANIZATIONS' } });
  });

  it('actions of no kind are never sent to a vote', () => {
    const decision = decideConsortium('consortium.update', administrator, { votingPolicy: { needsVote: [...V.kinds] as ProposalKind[] } });
    expect(decision).toEqual({ allowed: true });
  });
});

describe('§8.3 voters', () => {
  const m = (organizationId: string, status: string) => ({ organizationId, status: status as MembershipStatus });

  it('one per organization holding an ACTIVE membership, several memberships still one vote', () => {
    expect(eligibleVoters([m('b', 'ACTIVE'), m('a', 'ACTIVE'), m('a', 'ACTIVE'), m('c', 'LEFT')])).toEqual(['a', 'b']);
  });

  it('frozen organizations do not vote, even through another ACTIVE membership', () => {
    expect(eligibleVoters([m('a', 'ACTIVE'), m('b', 'FROZEN'), m('c', 'ACTIVE'), m('c', 'FROZEN')])).toEqual(['a']);
  });

  it('an organization that only left has no vote', () => {
    expect(eligibleVoters([m('a', 'LEFT')])).toEqual([]);
  });
});

describe('§8.3 threshold: GREATER_THAN vs GREATER_THAN_OR_EQUAL_TO at the boundary', () => {
  // yes of voters against threshold: exactly at the threshold only GREATER_THAN_OR_EQUAL_TO passes.
  it.each([
    // yes, voters, threshold, GT passes, GTE passes
    [1, 2, 50, false, true],
    [2, 4, 50, false, true],
    [3, 4, 50, true, true],
    [2, 3, 66, true, true],
    [2, 3, 67, false, false],
    [2, 3, 66.67, false, false],
    [1, 3, 34, false, false],
    [1, 3, 33, true, true],
    [3, 3, 100, false, true],
    [2, 3, 100, false, false],
    [1, 1, 1, true, true],
    [0, 5, 1, false, false],
    [1, 100, 1, false, true],
    [2, 100, 1, true, true],
    [0, 0, 50, false, false],
  ])('%i of %i YES against %s %% → GREATER_THAN %s, GREATER_THAN_OR_EQUAL_TO %s', (yes, voters, threshold, gt, gte) => {
    expect(passesThreshold({ thresholdPercent: threshold, comparator: GT }, yes, voters)).toBe(gt);
    expect(passesThreshold({ thresholdPercent: threshold, comparator: GTE }, yes, voters)).toBe(gte);
  });
});

describe('§8.3 outcome, decided the moment it is certain', () => {
  const roll = ['a', 'b', 'c', 'd'];
  const votes = (...choices: [string, string][]) => choices.map(([organizationId, choice]) => ({ organizationId, choice: choice as VoteChoice }));
  const half = (comparator: ThresholdComparator) => ({ thresholdPercent: 50, comparator });

  it('tallies one vote per organization on the roll', () => {
    const t = tallyVotes(roll, votes(['a', 'YES'], ['a', 'NO'], ['b', 'NO'], ['x', 'YES']));
    expect(t).toEqual({ voters: 4, yes: 1, no: 1, pending: 2 });
  });

  it.each([
    // comparator, votes, outcome
    [GT, [], 'UNDECIDED'],
    [GT, [['a', 'YES'], ['b', 'YES']], 'UNDECIDED'],
    [GT, [['a', 'YES'], ['b', 'YES'], ['c', 'YES']], 'APPROVED'],
    [GTE, [['a', 'YES'], ['b', 'YES']], 'APPROVED'],
    [GT, [['a', 'NO'], ['b', 'NO']], 'REJECTED'],
    [GTE, [['a', 'NO'], ['b', 'NO']], 'UNDECIDED'],
    [GTE, [['a', 'NO'], ['b', 'NO'], ['c', 'NO']], 'REJECTED'],
    [GT, [['a', 'YES'], ['b', 'NO']], 'UNDECIDED'],
    [GT, [['a', 'YES'], ['b', 'NO'], ['c', 'NO']], 'REJECTED'],
    [GTE, [['a', 'YES'], ['b', 'NO'], ['c', 'NO'], ['d', 'YES']], 'APPROVED'],
    [GT, [['a', 'YES'], ['b', 'NO'], ['c', 'NO'], ['d', 'YES']], 'REJECTED'],
  ] as const)('50 %% %s of 4 voters with %j → %s', (comparator, cast, expected) => {
    expect(proposalOutcome(half(comparator), tallyVotes(roll, votes(...(cast as unknown as [string, string][]))))).toBe(expected);
  });

  it('unanimity (GREATER_THAN_OR_EQUAL_TO 100 %) is rejected by the first NO', () => {
    const terms = { thresholdPercent: 100, comparator: GTE };
    expect(proposalOutcome(terms, tallyVotes(roll, votes(['a', 'YES'], ['b', 'YES'], ['c', 'YES'])))).toBe('UNDECIDED');
    expect(proposalOutcome(terms, tallyVotes(roll, votes(['a', 'YES'], ['b', 'NO'])))).toBe('REJECTED');
  });

  it('a roll without voters can approve nothing', () => {
    expect(proposalOutcome({ thresholdPercent: 1, comparator: GTE }, tallyVotes([], []))).toBe('REJECTED');
  });
});

describe('§8.3 casting a vote, and the deadline', () => {
  const expiresAt = new Date('2026-01-02T00:00:00Z');
  const open = { status: 'IN_PROGRESS' as ProposalStatus, expiresAt, voters: ['a', 'b'] };
  const active = [{ status: 'ACTIVE' as MembershipStatus }];
  const before = new Date(expiresAt.getTime() - 1);
  const vote = (over: Partial<Parameters<typeof canCastVote>[0]> = {}) =>
    canCastVote({ proposal: open, organizationId: 'a', memberships: active, alreadyVoted: false, now: before, ...over });

  it('a voter on the roll votes once, before the deadline', () => {
    expect(vote()).toEqual({ allowed: true });
    expect(vote({ alreadyVoted: true })).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
  });

  it('a vote racing the deadline: the instant before counts, the deadline itself does not', () => {
    expect(vote({ now: before })).toEqual({ allowed: true });
    expect(vote({ now: expiresAt })).toMatchObject({ allowed: false, missing: { kind: 'integrity', have: 'EXPIRED' } });
    expect(hasExpired(open, before)).toBe(false);
    expect(hasExpired(open, expiresAt)).toBe(true);
  });

  it('an organization off the roll (joined later) has no vote', () => {
    expect(vote({ organizationId: 'c' })).toMatchObject({ allowed: false, missing: { kind: 'membership' } });
  });

  it('an organization frozen after the proposal was created cannot vote', () => {
    expect(vote({ memberships: [...active, { status: 'FROZEN' as MembershipStatus }] })).toMatchObject({ allowed: false, missing: { kind: 'status' } });
  });

  it.each(['EXECUTED', 'ACTION_FAILED', 'REJECTED', 'EXPIRED', 'WITHDRAWN'])('a %s proposal takes no vote and does not expire again', (status) => {
    const closed = { ...open, status: status as ProposalStatus };
    expect(vote({ proposal: closed })).toMatchObject({ allowed: false, missing: { kind: 'integrity', have: status } });
    expect(hasExpired(closed, new Date(expiresAt.getTime() + 1))).toBe(false);
  });
});

describe('§8.3 withdrawing', () => {
  const expiresAt = new Date('2026-01-02T00:00:00Z');
  const proposal = { status: 'IN_PROGRESS' as ProposalStatus, expiresAt, proposerOrganizationId: 'a' };
  const now = new Date('2026-01-01T00:00:00Z');

  it('the proposer may withdraw while IN_PROGRESS', () => {
    expect(canWithdrawProposal({ proposal, organizationId: 'a', now })).toEqual({ allowed: true });
  });

  it('nobody else may', () => {
    expect(canWithdrawProposal({ proposal, organizationId: 'b', now })).toMatchObject({ allowed: false, missing: { kind: 'ownership' } });
  });

  it('not once decided, or past the deadline', () => {
    expect(canWithdrawProposal({ proposal: { ...proposal, status: 'REJECTED' as ProposalStatus }, organizationId: 'a', now })).toMatchObject({
      allowed: false,
      missing: { kind: 'integrity' },
    });
    expect(canWithdrawProposal({ proposal, organizationId: 'a', now: expiresAt })).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
  });
});
