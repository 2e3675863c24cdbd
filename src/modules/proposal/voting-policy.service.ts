// §8.3 the voting policy of a consortium: read by every member, set directly by the administrator
// while CHANGE_POLICY needs no vote (the shield rule of updateVotingPolicy decides that), or by an
// approved CHANGE_POLICY proposal. A change reaches only proposals created after it: a proposal
// copies its terms when it is created.
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../errors';
import { DEFAULT_VOTING_POLICY, validateVotingPolicy, type ProposalKind, type VotingPolicy, type ThresholdComparator } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent, type NewEvent } from '../event/event.recorder';
import type { UpdateVotingPolicyInput, VotingPolicyFields, VotingPolicyView } from './proposal.types';

/** The consortium's policy and when it last changed (null: the default, never changed). */
export async function loadVotingPolicy(em: EntityManager, consortiumId: string, lock = false): Promise<VotingPolicy & { updatedAt: Date | null }> {
  const [row] = await em.execute<{ threshold_percent: number; comparator: string; duration_hours: number; needs_vote: string[]; updated_at: Date }[]>(
    `select threshold_percent, comparator, duration_hours, needs_vote, updated_at from voting_policy where consortium_id = ?${lock ? ' for update' : ''}`,
    [consortiumId],
  );
  if (!row) return { ...DEFAULT_VOTING_POLICY, needsVote: [...DEFAULT_VOTING_POLICY.needsVote], updatedAt: null };
  return {
    thresholdPercent: row.threshold_percent,
    comparator: row.comparator as ThresholdComparator,
    durationHours: row.duration_hours,
    needsVote: row.needs_vote as ProposalKind[],
    updatedAt: new Date(row.updated_at),
  };
}

export function policyView(consortiumId: string, policy: VotingPolicy & { updatedAt?: Date | null }): VotingPolicyView {
  return {
    consortiumId,
    thresholdPercent: policy.thresholdPercent,
    comparator: policy.comparator,
    durationHours: policy.durationHours,
    needsVote: [...policy.needsVote],
    updatedAt: policy.updatedAt ?? null,
  };
}

/** A client's policy, checked by the policy core; BAD_USER_INPUT naming the field otherwise. */
export function requireVotingPolicy(input: VotingPolicyFields): VotingPolicy {
  const result = validateVotingPolicy(input);
  if (!result.ok) throw badInput(result.reason, { field: result.field });
  return result.policy;
}

/** Stores a policy and records POLICY_CHANGED, inside the caller's transaction. */
export async function writeVotingPolicy(
  em: EntityManager,
  consortiumId: string,
  policy: VotingPolicy,
  actor: NewEvent['actor'],
  proposalId?: string,
): Promise<Date> {
  const [row] = await em.execute<{ updated_at: Date }[]>(
    `insert into voting_policy (consortium_id, threshold_percent, comparator, duration_hours, needs_vote, updated_at)
       values (?, ?, ?, ?, ?::text[], clock_timestamp())
     on conflict (consortium_id) do update set threshold_percent = excluded.threshold_percent, comparator = excluded.comparator,
       duration_hours = excluded.duration_hours, needs_vote = excluded.needs_vote, updated_at = excluded.updated_at
     returning updated_at`,
    [consortiumId, policy.thresholdPercent, policy.comparator, policy.durationHours, `{${policy.needsVote.join(',')}}`],
  );
  await recordEvent(em, {
    kind: EventKind.POLICY_CHANGED,
    consortiumId,
    actor,
    subject: { type: 'Consortium', id: consortiumId },
    payload: {
      thresholdPercent: policy.thresholdPercent,
      comparator: policy.comparator,
      durationHours: policy.durationHours,
      needsVote: [...policy.needsVote],
      ...(proposalId ? { proposalId } : {}),
    },
  });
  return new Date(row.updated_at);
}

/** The policy every member reads. */
export async function votingPolicyOf(ctx: GatewayContext, { scope }: ConsortiumGrant): Promise<VotingPolicyView> {
  return policyView(scope.consortiumId, await loadVotingPolicy(ctx.em.fork() as EntityManager, scope.consortiumId));
}

/** The administrator's direct change (allowed by the shield rule only while CHANGE_POLICY needs no vote). */
export async function updateVotingPolicy(ctx: GatewayContext, { acting, scope }: ConsortiumGrant, input: UpdateVotingPolicyInput): Promise<VotingPolicyView> {
  const policy = requireVotingPolicy(input);
  return ctx.em.transactional(async (em) => {
    const updatedAt = await writeVotingPolicy(em, scope.consortiumId, policy, eventActor(acting));
    return policyView(scope.consortiumId, { ...policy, updatedAt });
  });
}
