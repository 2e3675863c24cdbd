// Subscription events are executed by the operation's selection compiled by graphql-jit
// (compiledSubscription, unless GRAPHQL_JIT=false). The same subscriptions, opened by the same
// users on a gateway that interprets them with graphql-js, must receive the same results: data
// with aliases, fragments, directives and __typename, what each viewer may see of an event,
// errors with their messages, codes and paths, null propagation, and the same end when the
// viewer's rights go.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { defaultFieldResolver, parse, type GraphQLObjectType } from 'graphql';
import type { FormattedExecutionResult } from 'graphql-ws';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsLeaveConsortiumDocument, EventsRemoveUserDocument } from '../generated/graphql';
import { EventKind } from '../../src/modules/event/event.entity';
import { memberOrganization } from '../support/factories/consortium';
import { appendEvent, consortiumWithMember, touchConsortium } from '../support/factories/event';
import { addUser, createOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { subscribe, type LiveSubscription } from '../support/ws';

type Vars = Record<string, unknown>;
type Doc = TypedDocumentNode<Record<string, unknown>, Vars>;

/** A consortium's events through aliases, fragments (on the event and on the payload union), a directive and __typename. */
const WATCH = parse(/* GraphQL */ `
  subscription Watch($consortiumId: ID!, $withHash: Boolean!) {
    event: consortiumEvents(consortiumId: $consortiumId) {
      __typename
      seq: sequence
      kind
      ...Who
      hash @include(if: $withHash)
      prevHash
      createdAt
      rawPayload
      payload {
        __typename
        ...Typed
      }
    }
  }

  fragment Who on Event {
    consortiumId
    actorUserId
    actorOrganizationId
    actingMembershipId
    audienceOrganizationId
    subjectType
    subjectId
  }

  fragment Typed on EventPayload {
    ... on ConsortiumUpdatedPayload {
      name {
        __typename
        from
        to
      }
      description {
        to
      }
    }
    ... on NetworkRoleGrantedPayload {
      role
      previousRole
    }
    ... on InvitationSentPayload {
      invitationId
      inviteeOrganizationId
      expiresAt
      permissions
    }
  }
`) as Doc;

/** The events addressed to the viewer's organization. */
const MINE = parse(/* GraphQL */ `
  subscription Mine {
    mine: organizationEvents {
      __typename
      kind
      seq: sequence
      to: audienceOrganizationId
      rawPayload
      payload {
        __typename
        ... on InvitationSentPayload {
          expiresAt
          invitationId
        }
        ... on NetworkRoleGrantedPayload {
          role
        }
      }
    }
  }
`) as Doc;

let compiled: TestGateway;
let interpreted: TestGateway;
const open: LiveSubscription<unknown>[] = [];
/** Which executor ran each event's root field, per gateway (see `probeExecutor`). */
const executors = new Map<TestGateway, string[]>();

beforeAll(async () => {
  [compiled, interpreted] = await Promise.all([startTestGateway(), startTestGateway({ GRAPHQL_JIT: 'false' })]);
  expect(compiled.config.compiledExecution).toBe(true);
  expect(interpreted.config.compiledExecution).toBe(false);
  probeExecutor(compiled);
  probeExecutor(interpreted);
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await Promise.all([compiled?.stop(), interpreted?.stop()]);
});

/**
 * Records, for every event, who called the root field's resolver: graphql-js' executeField, or
 * a function graphql-jit compiled. Installed before any subscription is compiled, so the
 * compiled functions call it too.
 */
function probeExecutor(gw: TestGateway): void {
  const seen: string[] = [];
  executors.set(gw, seen);
  const fields = (gw.app.gateway.schema.getSubscriptionType() as GraphQLObjectType).getFields();
  for (const name of ['consortiumEvents', 'organizationEvents']) {
    const field = fields[name];
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = function probed(...args) {
      const caller = new Error().stack!.split('\n')[2] ?? '';
      seen.push(/graphql[\\/]execution[\\/]execute\.js/.test(caller) ? 'graphql-js' : /graphql-jit[\\/]/.test(caller) ? 'graphql-jit' : caller);
      return resolve.apply(this, args);
    };
  }
}

/** A result without stack traces, which name the executor's own frames. */
function comparable(result: FormattedExecutionResult<unknown>): unknown {
  return {
    data: result.data,
    errors: result.errors?.map(({ extensions, ...rest }) => {
      const { stacktrace: _stacktrace, ...kept } = (extensions ?? {}) as Record<string, unknown>;
      return { ...rest, extensions: kept };
    }),
  };
}

interface Pair {
  compiled: LiveSubscription<Record<string, unknown>>;
  interpreted: LiveSubscription<Record<string, unknown>>;
}

/** The same subscription, by the same user, on both gateways. */
async function both(email: string, document: Doc, variables: Vars): Promise<Pair> {
  const on = async (gw: TestGateway) => {
    const sub = await subscribe(gw, await gw.tokenFor(email), document, variables);
    open.push(sub as LiveSubscription<unknown>);
    return sub;
  };
  return { compiled: await on(compiled), interpreted: await on(interpreted) };
}

type Result = FormattedExecutionResult<Record<string, unknown>>;

/** The next `n` results of both, which must be the same; returns the compiled gateway's. */
async function nextOfBoth(pair: Pair, n = 1): Promise<Result[]> {
  const take = async (sub: LiveSubscription<Record<string, unknown>>) => {
    const out: Result[] = [];
    for (let i = 0; i < n; i++) out.push(await sub.next());
    return out;
  };
  const [a, b] = await Promise.all([take(pair.compiled), take(pair.interpreted)]);
  expect(a.map(comparable)).toEqual(b.map(comparable));
  return a;
}

/** The end of both, which must be the same (and come before any further result). */
async function endOfBoth(pair: Pair): Promise<unknown> {
  const [a, b] = await Promise.all([pair.compiled.end(), pair.interpreted.end()]);
  expect(a).toEqual(b);
  return a;
}

type Seen = { data?: { event?: Record<string, unknown> | null; mine?: Record<string, unknown> | null } | null; errors?: Result['errors'] };

describe('compiled subscription events', () => {
  it('answer as graphql-js does: data, what each viewer may see, errors, paths and null propagation', async () => {
    const { admin, consortium, member } = await consortiumWithMember(compiled);
    const { org: other } = await memberOrganization(compiled, consortium.id);
    const outsider = await createOrganization(compiled);
    const consortiumId = consortium.id;

    const asAdmin = await both(admin.owner.email, WATCH, { consortiumId, withHash: true });
    const asMember = await both(member.owner.email, WATCH, { consortiumId, withHash: false });
    const asOther = await both(other.owner.email, WATCH, { consortiumId, withHash: true });
    const memberMine = await both(member.owner.email, MINE, {});
    // Refused at the subscribe step (graphql-js' own on both), before anything is registered.
    const asOutsider = await both(outsider.owner.email, WATCH, { consortiumId, withHash: true });
    const [refused] = await nextOfBoth(asOutsider);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]).toMatchObject({ path: ['event'], extensions: { code: 'NOT_FOUND' } });
    expect(await endOfBoth(asOutsider)).toEqual({ kind: 'complete' });

    // 1. A real change, through the API.
    await touchConsortium(admin.owner.client, consortiumId);
    // 2. A network role granted in the member organization: whose role it was is for that
    //    organization and the administrators only (the resolver reads the viewer's memberships).
    await appendEvent(consortiumId, {
      kind: EventKind.NETWORK_ROLE_GRANTED,
      audienceOrganizationId: member.id,
      payload: { role: 'OPERATOR', previousRole: null },
    });
    // 3. A payload field its scalar cannot serialize: nullable, so it alone is nulled, with an error.
    await appendEvent(consortiumId, {
      kind: EventKind.INVITATION_SENT,
      audienceOrganizationId: member.id,
      payload: { invitationId: randomUUID(), inviteeOrganizationId: member.id, expiresAt: 'not a date', permissions: ['NODES'] },
    });
    // 4. A stored payload that is no object: rawPayload is non-null, and so is the event: no data at all.
    await appendEvent(consortiumId, { audienceOrganizationId: member.id, payload: ['not', 'an', 'object'] });

    const [adminSaw, memberSaw, otherSaw] = (await Promise.all([asAdmin, asMember, asOther].map((pair) => nextOfBoth(pair, 4)))) as Seen[][];
    const mineSaw = (await nextOfBoth(memberMine, 3)) as Seen[];

    // What was compared is what it claims to be.
    expect(adminSaw.map((r) => r.data?.event?.kind ?? null)).toEqual(['CONSORTIUM_UPDATED', 'NETWORK_ROLE_GRANTED', 'INVITATION_SENT', null]);
    expect(adminSaw[0].data?.event).toMatchObject({
      __typename: 'Event',
      actorOrganizationId: admin.id,
      hash: expect.any(String),
      payload: { __typename: 'ConsortiumUpdatedPayload', name: { __typename: 'StringChange', to: expect.stringMatching(/^Renamed/) } },
    });
    expect(memberSaw[0].data?.event).not.toHaveProperty('hash');
    for (const saw of [adminSaw, memberSaw]) {
      expect(saw[1].data?.event).toMatchObject({ audienceOrganizationId: member.id, payload: { __typename: 'NetworkRoleGrantedPayload', role: 'OPERATOR' } });
    }
    expect(otherSaw[1].data?.event).toMatchObject({ audienceOrganizationId: null, rawPayload: {}, payload: { role: null } });
    for (const saw of [adminSaw, memberSaw, otherSaw]) {
      expect(saw[2].data?.event).toMatchObject({ payload: { __typename: 'InvitationSentPayload', expiresAt: null, permissions: ['NODES'] } });
      expect(saw[2].errors).toEqual([expect.objectContaining({ path: ['event', 'payload', 'expiresAt'], extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
      expect(saw[3].data).toBeNull();
      expect(saw[3].errors).toEqual([expect.objectContaining({ path: ['event', 'rawPayload'], locations: [expect.any(Object)] })]);
    }
    expect(mineSaw.map((r) => r.data?.mine?.kind ?? null)).toEqual(['NETWORK_ROLE_GRANTED', 'INVITATION_SENT', null]);
    expect(mineSaw[1].errors?.[0].path).toEqual(['mine', 'payload', 'expiresAt']);
    expect(mineSaw[2].errors?.[0].path).toEqual(['mine', 'rawPayload']);

    // And each gateway ran the events the way it says: 4 events × 3 subscribers and 3 × 1 each.
    expect(executors.get(compiled)).toEqual(Array(15).fill('graphql-jit'));
    expect(executors.get(interpreted)).toEqual(Array(15).fill('graphql-js'));
  });

  it('end the same way for a viewer whose rights go mid-stream', async () => {
    const { admin, consortium, member, membership } = await consortiumWithMember(compiled);
    const colleague = await addUser(compiled, member, 'MEMBER');
    const consortiumId = consortium.id;
    const adminWatch = await both(admin.owner.email, WATCH, { consortiumId, withHash: false });
    const memberWatch = await both(member.owner.email, WATCH, { consortiumId, withHash: false });
    const colleagueWatch = await both(colleague.email, WATCH, { consortiumId, withHash: true });
    const colleagueMine = await both(colleague.email, MINE, {});

    await touchConsortium(admin.owner.client, consortiumId);
    for (const pair of [adminWatch, memberWatch, colleagueWatch]) await nextOfBoth(pair);

    // The colleague leaves the organization: no event says so; the next batch ends both of its subscriptions.
    await member.owner.client.ok(EventsRemoveUserDocument, { organizationId: member.id, userId: colleague.id });
    await appendEvent(consortiumId, { audienceOrganizationId: member.id, label: 'for the member organization' });
    for (const pair of [adminWatch, memberWatch]) expect((await nextOfBoth(pair))[0].data?.event).toMatchObject({ rawPayload: { label: 'for the member organization' } });
    expect(await endOfBoth(colleagueWatch)).toEqual({ kind: 'complete' });
    expect(await endOfBoth(colleagueMine)).toEqual({ kind: 'complete' });

    // The member organization leaves the consortium: its subscription ends before its own MEMBER_LEFT.
    await member.owner.client.ok(EventsLeaveConsortiumDocument, { membershipId: membership.id });
    expect((await nextOfBoth(adminWatch))[0].data?.event).toMatchObject({ kind: 'MEMBER_LEFT' });
    expect(await endOfBoth(memberWatch)).toEqual({ kind: 'complete' });
  });
});
