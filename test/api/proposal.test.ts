// §8.3 governance by vote, through the API on real PostgreSQL: the voting policy, proposals and
// votes, outcomes carried out in the deciding vote's transaction, expiry, withdrawal, removal of a
// member organization, and the races of many votes and of a vote against the deadline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpiredProposals } from '../../src/modules/proposal/proposal.expiry';
import {
  CastVoteDocument,
  CreateProposalDocument,
  InviteOrganizationDocument,
  MyPendingVotesDocument,
  MyPermissionsDocument,
  OrganizationEventsDocument,
  ProposalDocument,
  ProposalsDocument,
  RemoveMemberDocument,
  UpdateVotingPolicyDocument,
  VotingPolicyDocument,
  WithdrawProposalDocument,
  ConsortiumEventsDocument,
  type CreateProposalInput,
  type UpdateVotingPolicyInput,
} from '../generated/graphql';
import { sql, testEm } from '../support/db';
import { setMembershipStatus } from '../support/factories/consortium';
import { countEvents, eventRows, invite } from '../support/factories/membership';
import { createOrganization, seedNetworkRole, seedNodes } from '../support/factories/organization';
import { addSeat, newConsortium, type Seat, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { subscribe } from '../support/ws';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

type Policy = Omit<UpdateVotingPolicyInput, 'consortiumId' | 'membershipId'>;
const MAJORITY: Policy = { thresholdPercent: 50, comparator: 'GREATER_THAN', durationHours: 24, needsVote: [] };

/** A consortium of an administrator and `members` MEMBER organizations, with a voting policy. */
async function votingConsortium(members: number, policy: Policy = MAJORITY): Promise<{ c: TestConsortium; seats: Seat[] }> {
  const c = await newConsortium(gw);
  const seats: Seat[] = [];
  for (let i = 0; i < members; i++) seats.push(await addSeat(gw, c));
  await c.admin.owner.client.ok(UpdateVotingPolicyDocument, { input: { consortiumId: c.consortiumId, ...policy } });
  return { c, seats };
}

async function propose(by: Seat, input: Omit<CreateProposalInput, 'consortiumId'>) {
  const { createProposal } = await by.owner.client.ok(CreateProposalDocument, { input: { consortiumId: by.consortiumId, ...input } });
  return createProposal;
}

const vote = (by: Seat, proposalId: string, choice: 'YES' | 'NO') => by.owner.client.ok(CastVoteDocument, { proposalId, choice }).then((d) => d.castVote);
const statusOf = async (table: string, id: string) => (await sql<{ status: string }>(`select status from ${table} where id = ?`, [id]))[0].status;

describe('the voting policy', () => {
  it('is the default (no kind needs a vote) until changed; every member reads it; the administrator changes it with POLICY_CHANGED', async () => {
    const c = await newConsortium(gw);
    const member = await addSeat(gw, c);
    const { votingPolicy } = await member.owner.client.ok(VotingPolicyDocument, { consortiumId: c.consortiumId });
    expect(votingPolicy).toMatchObject({ thresholdPercent: 50, comparator: 'GREATER_THAN', durationHours: 24, needsVote: [], updatedAt: null });

    const input = { consortiumId: c.consortiumId, thresholdPercent: 66, comparator: 'GREATER_THAN_OR_EQUAL_TO' as const, durationHours: 48, needsVote: ['CHANGE_POLICY', 'INVITE'] as const };
    await member.owner.client.fails('FORBIDDEN', UpdateVotingPolicyDocument, { input: { ...input, needsVote: [...input.needsVote] } });
    const { updateVotingPolicy } = await c.admin.owner.client.ok(UpdateVotingPolicyDocument, { input: { ...input, needsVote: [...input.needsVote] } });
    // Stored in the spec's order, whatever order was sent.
    expect(updateVotingPolicy).toMatchObject({ thresholdPercent: 66, durationHours: 48, needsVote: ['INVITE', 'CHANGE_POLICY'] });
    const [changed] = await eventRows({ consortiumId: c.consortiumId, kind: 'POLICY_CHANGED' });
    expect(changed.payload).toMatchObject({ thresholdPercent: 66, comparator: 'GREATER_THAN_OR_EQUAL_TO', durationHours: 48 });
    expect((await member.owner.client.ok(VotingPolicyDocument, { consortiumId: c.consortiumId })).votingPolicy.needsVote).toEqual(['INVITE', 'CHANGE_POLICY']);

    // CHANGE_POLICY now needs a vote: the direct route answers CONFLICT naming the proposal route.
    const refused = await c.admin.owner.client.fails('CONFLICT', UpdateVotingPolicyDocument, { input: { ...input, needsVote: [] } });
    expect(refused.message).toMatch(/CHANGE_POLICY proposal/);
    expect(await countEvents({ consortiumId: c.consortiumId, kind: 'POLICY_CHANGED' })).toBe(1);
  });

  it('refuses a policy outside the bounds of §8.3 with BAD_USER_INPUT naming the field', async () => {
    const c = await newConsortium(gw);
    const base = { consortiumId: c.consortiumId, ...MAJORITY, needsVote: [] };
    for (const [bad, field] of [
      [{ thresholdPercent: 0 }, 'thresholdPercent'],
      [{ thresholdPercent: 100, comparator: 'GREATER_THAN' as const }, 'thresholdPercent'],
      [{ durationHours: 0 }, 'durationHours'],
      [{ durationHours: 721 }, 'durationHours'],
    ] as const) {
      const error = await c.admin.owner.client.fails('BAD_USER_INPUT', UpdateVotingPolicyDocument, { input: { ...base, ...bad } });
      expect(error.extensions?.field).toBe(field);
    }
    expect(await countEvents({ consortiumId: c.consortiumId, kind: 'POLICY_CHANGED' })).toBe(0);
  });

  it('where a kind needs a vote, the direct mutation answers CONFLICT naming the proposal route, and myPermissions says so', async () => {
    const { c } = await votingConsortium(0, { ...MAJORITY, needsVote: ['INVITE', 'REMOVE_MEMBER', 'TRANSFER_ADMINISTRATION'] });
    const invitee = await createOrganization(gw);
    const error = await c.admin.owner.client.fails('CONFLICT', InviteOrganizationDocument, { input: { consortiumId: c.consortiumId, organizationId: invitee.id } });
    expect(error.message).toMatch(/INVITE proposal/);
    const member = await addSeat(gw, c);
    const removal = await c.admin.owner.client.fails('CONFLICT', RemoveMemberDocument, { consortiumId: c.consortiumId, organizationId: member.org.id });
    expect(removal.message).toMatch(/REMOVE_MEMBER proposal/);
    const transfer = await c.admin.owner.client.fails(
      'CONFLICT',
      'mutation($m: ID!) { transferAdministration(toMembershipId: $m) { administrator { id } } }',
      { m: member.membershipId },
    );
    expect(transfer.message).toMatch(/TRANSFER_ADMINISTRATION proposal/);
    const { myPermissions } = await c.admin.owner.client.ok(MyPermissionsDocument, { consortiumId: c.consortiumId });
    const of = (action: string) => myPermissions.find((p) => p.action === action)!;
    expect(of('organization.invite')).toMatchObject({ allowed: false, missing: { kind: 'integrity', need: 'a INVITE proposal' } });
    expect(of('organization.invite').reason).toMatch(/proposal/);
    expect(of('member.remove')).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
    expect(of('administration.transfer')).toMatchObject({ allowed: false, missing: { kind: 'integrity' } });
    expect(of('votingPolicy.update').allowed).toBe(true);
    expect(of('proposal.create').allowed).toBe(true);
  });
});

describe('proposals and votes', () => {
  it('INVITE: voters fixed at creation, PROPOSAL_CREATED to every voter, executed by the deciding vote; later votes refused', async () => {
    const { c, seats } = await votingConsortium(2, { ...MAJORITY, needsVote: ['INVITE'] });
    const admin = c.admin;
    const frozen = await addSeat(gw, c);
    await setMembershipStatus(frozen.membershipId, 'FROZEN');
    const invitee = await createOrganization(gw);
    const p = await propose(seats[0], { kind: 'INVITE', invite: { organizationId: invitee.id }, description: 'Bring them in' });
    expect(p).toMatchObject({ status: 'IN_PROGRESS', thresholdPercent: 50, comparator: 'GREATER_THAN', tally: { voters: 3, yes: 0, no: 0, pending: 3, outcome: 'UNDECIDED' } });
    expect(p.action.organizationId).toBe(invitee.id);

    const created = await eventRows({ subjectId: p.id, kind: 'PROPOSAL_CREATED' });
    expect(created.filter((e) => e.consortiumId === c.consortiumId)).toHaveLength(1);
    const addressed = created.filter((e) => e.audienceOrganizationId !== null).map((e) => e.audienceOrganizationId).sort();
    expect(addressed).toEqual([admin.org.id, seats[0].org.id, seats[1].org.id].sort());
    // A frozen organization does not vote.
    const refused = await frozen.owner.client.fails('FORBIDDEN', CastVoteDocument, { proposalId: p.id, choice: 'YES' });
    expect(refused.message).toMatch(/no vote|frozen/);

    // An organization joining later holds no vote on it.
    const late = await addSeat(gw, c);
    expect((await late.owner.client.fails('FORBIDDEN', CastVoteDocument, { proposalId: p.id, choice: 'YES' })).extensions?.kind).toBe('membership');

    expect((await vote(admin, p.id, 'YES')).status).toBe('IN_PROGRESS');
    await admin.owner.client.fails('CONFLICT', CastVoteDocument, { proposalId: p.id, choice: 'NO' });
    const decided = await vote(seats[1], p.id, 'YES');
    expect(decided).toMatchObject({ status: 'EXECUTED', tally: { yes: 2, pending: 1, outcome: 'APPROVED' } });
    const [invitation] = await sql<{ id: string; status: string }>(`select id, status from invitation where consortium_id = ? and invitee_organization_id = ?`, [c.consortiumId, invitee.id]);
    expect(invitation.status).toBe('PENDING');
    expect((await eventRows({ subjectId: p.id })).map((e) => e.kind).filter((k) => k !== 'PROPOSAL_CREATED')).toEqual([
      'VOTE_CAST', 'VOTE_CAST', 'PROPOSAL_APPROVED', 'PROPOSAL_EXECUTED',
    ]);
    const error = await seats[0].owner.client.fails('CONFLICT', CastVoteDocument, { proposalId: p.id, choice: 'YES' });
    expect(error.message).toMatch(/EXECUTED/);

    const { proposal } = await seats[0].owner.client.ok(ProposalDocument, { id: p.id });
    expect(proposal.votes).toHaveLength(3);
    expect(proposal.notVoted.map((v) => v.organizationId)).toEqual([seats[0].org.id]);
    expect(proposal.votes.find((v) => v.organizationId === admin.org.id)?.choice).toBe('YES');
  });

  it('REJECTED as soon as it no longer can pass; a policy change reaches only proposals created after it', async () => {
    const { c, seats } = await votingConsortium(2);
    const p = await propose(c.admin, { kind: 'CHANGE_POLICY', policy: { ...MAJORITY, durationHours: 2 } });
    await c.admin.owner.client.ok(UpdateVotingPolicyDocument, { input: { consortiumId: c.consortiumId, ...MAJORITY, thresholdPercent: 10 } });
    const after = await propose(c.admin, { kind: 'CHANGE_POLICY', policy: { ...MAJORITY, durationHours: 3 } });
    expect(after.thresholdPercent).toBe(10);
    expect((await vote(seats[0], p.id, 'NO')).status).toBe('IN_PROGRESS');
    // Under its own terms (50 %, not the 10 % of the new policy) one YES of three cannot pass.
    const rejected = await vote(seats[1], p.id, 'NO');
    expect(rejected).toMatchObject({ status: 'REJECTED', thresholdPercent: 50, tally: { no: 2, outcome: 'REJECTED' } });
    expect(await countEvents({ subjectId: p.id, kind: 'PROPOSAL_REJECTED' })).toBe(1);
    expect((await c.admin.owner.client.ok(VotingPolicyDocument, { consortiumId: c.consortiumId })).votingPolicy.durationHours).toBe(24);
    // The later proposal passes with one YES of three under 10 %.
    expect((await vote(seats[0], after.id, 'YES')).status).toBe('EXECUTED');
    expect((await c.admin.owner.client.ok(VotingPolicyDocument, { consortiumId: c.consortiumId })).votingPolicy.durationHours).toBe(3);
  });

  it('CHANGE_POLICY by vote where it needs one; bad proposals are BAD_USER_INPUT', async () => {
    const { c, seats } = await votingConsortium(1, { ...MAJORITY, needsVote: ['CHANGE_POLICY'] });
    await c.admin.owner.client.fails('BAD_USER_INPUT', CreateProposalDocument, { input: { consortiumId: c.consortiumId, kind: 'CHANGE_POLICY' } });
    await c.admin.owner.client.fails('BAD_USER_INPUT', CreateProposalDocument, {
      input: { consortiumId: c.consortiumId, kind: 'CHANGE_POLICY', policy: { ...MAJORITY, thresholdPercent: 101 } },
    });
    await c.admin.owner.client.fails('BAD_USER_INPUT', CreateProposalDocument, {
      input: { consortiumId: c.consortiumId, kind: 'CHANGE_POLICY', policy: MAJORITY, removeOrganizationId: seats[0].org.id },
    });
    const p = await propose(seats[0], { kind: 'CHANGE_POLICY', policy: { ...MAJORITY, needsVote: [] } });
    await vote(c.admin, p.id, 'YES');
    expect((await vote(seats[0], p.id, 'YES')).status).toBe('EXECUTED');
    const [changed] = await eventRows({ consortiumId: c.consortiumId, kind: 'POLICY_CHANGED' }).then((rows) => rows.slice(-1));
    expect(changed.payload).toMatchObject({ proposalId: p.id, needsVote: [] });
    await c.admin.owner.client.ok(UpdateVotingPolicyDocument, { input: { consortiumId: c.consortiumId, ...MAJORITY } });
  });

  it('TRANSFER_ADMINISTRATION: the receiver becomes ADMINISTRATOR with all four permissions, the former a MEMBER keeping them', async () => {
    const { c, seats } = await votingConsortium(1, { ...MAJORITY, needsVote: ['TRANSFER_ADMINISTRATION'] });
    const p = await propose(c.admin, { kind: 'TRANSFER_ADMINISTRATION', transferToMembershipId: seats[0].membershipId });
    await vote(c.admin, p.id, 'YES');
    expect((await vote(seats[0], p.id, 'YES')).status).toBe('EXECUTED');
    const rows = await sql<{ id: string; role: string; permissions: string }>(`select id, role, permissions::text from membership where id in (?, ?)`, [c.admin.membershipId, seats[0].membershipId]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(seats[0].membershipId)?.role).toBe('ADMINISTRATOR');
    expect(byId.get(c.admin.membershipId)?.role).toBe('MEMBER');
    expect(byId.get(c.admin.membershipId)?.permissions).toMatch(/INVITE_ORGANIZATIONS/);
    const [moved] = await eventRows({ consortiumId: c.consortiumId, kind: 'ADMINISTRATION_TRANSFERRED' });
    expect(moved.payload).toMatchObject({ fromMembershipId: c.admin.membershipId, toMembershipId: seats[0].membershipId, proposalId: p.id });
  });

  it('ACTION_FAILED with its reason when the approved action is refused by then, and nothing of it is written', async () => {
    const { c, seats } = await votingConsortium(2);
    const p = await propose(c.admin, { kind: 'REMOVE_MEMBER', removeOrganizationId: seats[1].org.id });
    await setMembershipStatus(seats[1].membershipId, 'LEFT');
    await vote(c.admin, p.id, 'YES');
    const failed = await vote(seats[0], p.id, 'YES');
    expect(failed.status).toBe('ACTION_FAILED');
    expect(failed.failureReason).toMatch(/no current membership/);
    expect(await countEvents({ consortiumId: c.consortiumId, kind: 'MEMBER_REMOVED' })).toBe(0);
    expect((await eventRows({ subjectId: p.id, kind: 'PROPOSAL_ACTION_FAILED' }))[0].payload).toMatchObject({ reason: expect.stringMatching(/no current membership/) });
  });

  it('the proposer withdraws while IN_PROGRESS; no one else may; a withdrawn proposal takes no vote', async () => {
    const { c, seats } = await votingConsortium(1);
    const p = await propose(seats[0], { kind: 'CHANGE_POLICY', policy: MAJORITY });
    expect((await c.admin.owner.client.fails('FORBIDDEN', WithdrawProposalDocument, { id: p.id })).extensions?.kind).toBe('ownership');
    const { withdrawProposal } = await seats[0].owner.client.ok(WithdrawProposalDocument, { id: p.id });
    expect(withdrawProposal.status).toBe('WITHDRAWN');
    await c.admin.owner.client.fails('CONFLICT', CastVoteDocument, { proposalId: p.id, choice: 'YES' });
    await seats[0].owner.client.fails('CONFLICT', WithdrawProposalDocument, { id: p.id });
    expect(await countEvents({ subjectId: p.id, kind: 'PROPOSAL_WITHDRAWN' })).toBe(1);
  });

  it('EXPIRED at the deadline: by the sweeper with no request, or when a vote meets it (CONFLICT); announced once', async () => {
    const { c, seats } = await votingConsortium(1);
    const swept = await propose(c.admin, { kind: 'CHANGE_POLICY', policy: MAJORITY });
    const touched = await propose(c.admin, { kind: 'CHANGE_POLICY', policy: MAJORITY });
    await vote(c.admin, swept.id, 'YES');
    await sql(`update proposal set expires_at = now() - interval '1 second' where id in (?, ?)`, [swept.id, touched.id]);
    await seats[0].owner.client.fails('CONFLICT', CastVoteDocument, { proposalId: touched.id, choice: 'YES' });
    expect(await statusOf('proposal', touched.id)).toBe('EXPIRED');
    expect(await sweepExpiredProposals(await testEm())).toBeGreaterThanOrEqual(1);
    expect(await statusOf('proposal', swept.id)).toBe('EXPIRED');
    expect(await sweepExpiredProposals(await testEm())).toBe(0);
    for (const id of [swept.id, touched.id]) expect(await countEvents({ subjectId: id, kind: 'PROPOSAL_EXPIRED' })).toBe(1);
    expect((await eventRows({ subjectId: swept.id, kind: 'PROPOSAL_EXPIRED' }))[0].payload).toMatchObject({ yes: 1, voters: 2 });
    expect(gw.app.services.registry.has('invitationSweeper')).toBe(true);
  });
});

describe('removing a member organization', () => {
  it('by a REMOVE_MEMBER proposal: memberships LEFT, nodes stopped, invitations revoked, network roles ended, subscriptions completed', async () => {
    const { c, seats } = await votingConsortium(2, { ...MAJORITY, needsVote: ['REMOVE_MEMBER'] });
    const target = seats[1];
    const second = await addSeat(gw, c, { org: target.org, permissions: ['INVITE_ORGANIZATIONS'] });
    const nodes = await seedNodes(target.membershipId, c.consortiumId, 2);
    const invitee = await createOrganization(gw);
    const invitation = await invite(target.owner, c.consortiumId, invitee.id, { membershipId: second.membershipId });
    await seedNetworkRole(target.owner.id, c.consortiumId, 'OWNER');
    const live = await subscribe(gw, await gw.tokenFor(target.owner.email), ConsortiumEventsDocument, { consortiumId: c.consortiumId });

    const p = await propose(c.admin, { kind: 'REMOVE_MEMBER', removeOrganizationId: target.org.id });
    expect(p.tally.voters).toBe(3);
    await vote(c.admin, p.id, 'YES');
    expect((await vote(seats[0], p.id, 'YES')).status).toBe('EXECUTED');

    expect(await statusOf('membership', target.membershipId)).toBe('LEFT');
    expect(await statusOf('membership', second.membershipId)).toBe('LEFT');
    for (const id of nodes) expect(await statusOf('node', id)).toBe('STOPPED');
    expect(await statusOf('invitation', invitation.id)).toBe('REVOKED');
    expect(await sql(`select 1 from network_role where consortium_id = ? and user_id = ?`, [c.consortiumId, target.owner.id])).toEqual([]);
    const [revoked] = await eventRows({ consortiumId: c.consortiumId, kind: 'NETWORK_ROLE_REVOKED' });
    expect(revoked).toMatchObject({ subjectId: target.owner.id, audienceOrganizationId: target.org.id });
    const [removed] = await eventRows({ consortiumId: c.consortiumId, kind: 'MEMBER_REMOVED' });
    expect(removed.payload).toMatchObject({ organizationId: target.org.id, proposalId: p.id, stoppedNodeIds: expect.arrayContaining(nodes) });
    expect((removed.payload.membershipIds as string[]).sort()).toEqual([target.membershipId, second.membershipId].sort());
    // The removed organization's subscription to the consortium ends.
    let ended = '';
    for (let i = 0; i < 50 && ended === ''; i++) {
      await live.next().catch((error: Error) => {
        ended = error.message;
      });
    }
    await live.close();
    expect(ended).toMatch(/got (completion|error)/);
    await target.owner.client.fails('NOT_FOUND', VotingPolicyDocument, { consortiumId: c.consortiumId });
  });

  it('directly by the administrator where no vote is needed; never the administrator’s own organization; not by a MEMBER', async () => {
    const c = await newConsortium(gw);
    const member = await addSeat(gw, c);
    const other = await addSeat(gw, c);
    const own = await c.admin.owner.client.fails('CONFLICT', RemoveMemberDocument, { consortiumId: c.consortiumId, organizationId: c.admin.org.id });
    expect(own.message).toMatch(/ADMINISTRATOR/);
    await member.owner.client.fails('FORBIDDEN', RemoveMemberDocument, { consortiumId: c.consortiumId, organizationId: other.org.id });
    await c.admin.owner.client.fails('NOT_FOUND', RemoveMemberDocument, { consortiumId: c.consortiumId, organizationId: (await createOrganization(gw)).id });
    const { removeMember } = await c.admin.owner.client.ok(RemoveMemberDocument, { consortiumId: c.consortiumId, organizationId: member.org.id });
    expect(removeMember).toMatchObject({ organizationId: member.org.id, membershipIds: [member.membershipId] });
    expect(await statusOf('membership', member.membershipId)).toBe('LEFT');
    await c.admin.owner.client.fails('CONFLICT', RemoveMemberDocument, { consortiumId: c.consortiumId, organizationId: member.org.id });
  });
});

describe('queries', () => {
  it('proposals of a consortium paginated and filtered by status; the caller’s pending votes across consortia', async () => {
    const one = await votingConsortium(1);
    const two = await newConsortium(gw);
    const seatInTwo = await addSeat(gw, two, { org: one.seats[0].org });
    const a = await propose(one.c.admin, { kind: 'CHANGE_POLICY', policy: MAJORITY });
    const b = await propose(one.c.admin, { kind: 'CHANGE_POLICY', policy: MAJORITY });
    await one.c.admin.owner.client.ok(WithdrawProposalDocument, { id: b.id });
    const inTwo = await propose(two.admin, { kind: 'CHANGE_POLICY', policy: MAJORITY });

    const client = one.seats[0].owner.client;
    const all = await client.ok(ProposalsDocument, { consortiumId: one.c.consortiumId, first: 1 });
    expect(all.proposals).toMatchObject({ totalCount: 2, nodes: [{ id: a.id }], pageInfo: { hasNextPage: true } });
    const next = await client.ok(ProposalsDocument, { consortiumId: one.c.consortiumId, first: 1, after: all.proposals.pageInfo.endCursor });
    expect(next.proposals.nodes.map((n) => n.id)).toEqual([b.id]);
    const open = await client.ok(ProposalsDocument, { consortiumId: one.c.consortiumId, status: ['IN_PROGRESS'] });
    expect(open.proposals.nodes.map((n) => n.id)).toEqual([a.id]);

    const { myPendingVotes } = await client.ok(MyPendingVotesDocument);
    expect(myPendingVotes.map((p) => p.id).sort()).toEqual([a.id, inTwo.id].sort());
    await vote(seatInTwo, inTwo.id, 'NO');
    expect((await client.ok(MyPendingVotesDocument)).myPendingVotes.map((p) => p.id)).toEqual([a.id]);
  });

  it('a voter’s organization receives PROPOSAL_CREATED on organizationEvents, so it can vote without polling', async () => {
    const { c, seats } = await votingConsortium(1);
    const live = await subscribe(gw, await gw.tokenFor(seats[0].owner.email), OrganizationEventsDocument, {});
    const p = await propose(c.admin, { kind: 'CHANGE_POLICY', policy: MAJORITY });
    const event = await live.next();
    await live.close();
    expect(event.data?.organizationEvents).toMatchObject({ kind: 'PROPOSAL_CREATED', subjectId: p.id, audienceOrganizationId: seats[0].org.id });
    expect(event.data?.organizationEvents.rawPayload).toMatchObject({ consortiumId: c.consortiumId, proposalId: p.id });
  });
});

describe('races on real PostgreSQL', () => {
  it('50 organizations voting at once decide the proposal exactly once', async () => {
    const { c, seats } = await votingConsortium(49);
    const voters = [c.admin, ...seats];
    const p = await propose(c.admin, { kind: 'CHANGE_POLICY', policy: { ...MAJORITY, durationHours: 5 } });
    expect(p.tally.voters).toBe(50);
    const results = await Promise.all(voters.map((s) => s.owner.client.request(CastVoteDocument, { proposalId: p.id, choice: 'YES' })));
    const counted = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors);
    // 26 of 50 pass "more than 50 %": the 26th decides, the 24 after it find the proposal EXECUTED.
    expect(counted).toHaveLength(26);
    expect(refused.every((r) => r.errors![0].extensions?.code === 'CONFLICT')).toBe(true);
    expect(await countEvents({ subjectId: p.id, kind: 'VOTE_CAST' })).toBe(26);
    expect(await countEvents({ subjectId: p.id, kind: 'PROPOSAL_APPROVED' })).toBe(1);
    expect(await countEvents({ subjectId: p.id, kind: 'PROPOSAL_EXECUTED' })).toBe(1);
    expect(await countEvents({ consortiumId: c.consortiumId, kind: 'POLICY_CHANGED' })).toBe(2);
    expect(await statusOf('proposal', p.id)).toBe('EXECUTED');
    const [{ n }] = await sql<{ n: string }>(`select count(*) as n from proposal_voter where proposal_id = ? and choice is not null`, [p.id]);
    expect(Number(n)).toBe(26);
  });

  it('a vote racing the deadline is either counted or refused, never both', async () => {
    const { c, seats } = await votingConsortium(2);
    const proposals = [];
    for (let i = 0; i < 8; i++) proposals.push(await propose(c.admin, { kind: 'CHANGE_POLICY', policy: MAJORITY }));
    // Deadlines spread over the next moments; each vote and a sweep run against them at once.
    await sql(
      `update proposal set expires_at = clock_timestamp() + (random() * interval '40 milliseconds') where id in (${proposals.map(() => '?').join(',')})`,
      proposals.map((p) => p.id),
    );
    const outcomes = await Promise.all([
      ...proposals.map((p) => seats[0].owner.client.request(CastVoteDocument, { proposalId: p.id, choice: 'YES' })),
      (async () => {
        for (let i = 0; i < 5; i++) await sweepExpiredProposals(await testEm());
        return null;
      })(),
    ]);
    await sql(`update proposal set expires_at = now() - interval '1 second' where id in (${proposals.map(() => '?').join(',')}) and status = 'IN_PROGRESS'`, proposals.map((p) => p.id));
    await sweepExpiredProposals(await testEm());
    for (const [i, p] of proposals.entries()) {
      const answer = outcomes[i]!;
      const [row] = await sql<{ choice: string | null }>(`select choice from proposal_voter where proposal_id = ? and organization_id = ?`, [p.id, seats[0].org.id]);
      const cast = await countEvents({ subjectId: p.id, kind: 'VOTE_CAST' });
      if (answer.errors) {
        expect(answer.errors[0].extensions?.code).toBe('CONFLICT');
        expect(row.choice).toBeNull();
        expect(cast).toBe(0);
      } else {
        expect(row.choice).toBe('YES');
        expect(cast).toBe(1);
      }
      expect(await statusOf('proposal', p.id)).toBe('EXPIRED');
      expect(await countEvents({ subjectId: p.id, kind: 'PROPOSAL_EXPIRED' })).toBe(1);
    }
  });
});
