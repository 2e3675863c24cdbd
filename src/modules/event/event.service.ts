import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../../graphql/context';
import { toGraphQLError } from '../../graphql/errors';
import type { CallerGrant, ConsortiumGrant } from '../../graphql/grant';
import { pageSize } from '../../graphql/pagination';
import { AppError, badInput } from '../../errors';
import { networkRoleEventDetail, NetworkRoleEventDetail, type NetworkRoleEventViewer } from '../../governance';
import { Event, EventKind } from './event.entity';
import { EVENT_FEED, type EventFeed } from './event.feed';
import { eventHash, hashedContent } from './event.hash';
import type { EventStream } from './event.stream';
import type { ConsortiumEventsArgs, EventChainVerification, EventConnection, EventPageArgs, OrganizationEventsArgs } from './event.types';

/** Rows read per statement while verifying a chain: the log is streamed, never loaded whole. */
const VERIFY_PAGE = 500;

/** A sequence given by a client: absent, or a non-negative integer. */
function sequenceArg(value: number | null | undefined, field = 'after'): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 0) throw badInput(`${field} must be the sequence of an event (a non-negative integer)`, { field });
  return value;
}

function feedOf(ctx: GatewayContext): EventFeed {
  const feed = ctx.app.registry.get(EVENT_FEED);
  if (!feed) throw new Error('The event feed is not running');
  return feed;
}

/**
 * Runs a subscription's subscribe step. graphql-ws sends these errors as they are (Apollo's
 * formatError does not run there), so coded errors are turned into GraphQLErrors here and
 * anything else is logged and masked.
 */
export async function guardSubscribe(ctx: GatewayContext, open: () => Promise<EventStream>): Promise<EventStream> {
  try {
    return await open();
  } catch (error) {
    if (error instanceof AppError) throw toGraphQLError(error);
    ctx.log.error({ err: error }, 'subscription could not start');
    throw new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
}

/** consortiumEvents: consortium.view is checked before anything is registered; the feed checks every event again. */
export async function subscribeConsortiumEvents(
  ctx: GatewayContext,
  { acting }: ConsortiumGrant,
  args: ConsortiumEventsArgs,
): Promise<EventStream> {
  const after = sequenceArg(args.after);
  return feedOf(ctx).subscribe(acting.user.id, { consortiumId: acting.consortiumId }, after, ctx.tokenExpiresAt);
}

/** organizationEvents: events addressed to the caller's organization, while the caller belongs to it. */
export async function subscribeOrganizationEvents(
  ctx: GatewayContext,
  caller: CallerGrant & { organizationId: string },
  args: OrganizationEventsArgs,
): Promise<EventStream> {
  const after = sequenceArg(args.after);
  return feedOf(ctx).subscribe(caller.user.id, { organizationId: caller.organizationId }, after, ctx.tokenExpiresAt);
}

const NETWORK_ROLE_KINDS: ReadonlySet<EventKind> = new Set([EventKind.NETWORK_ROLE_GRANTED, EventKind.NETWORK_ROLE_REVOKED]);

/**
 * An event as the caller may see it. A network-role event is whole only for users of the
 * organization whose user it concerns and for the consortium's administrator memberships (§8.1);
 * anyone else sees that a role changed in the consortium, not whose, nor which, nor by whom.
 */
/** Whether what a viewer sees of an event depends on who the viewer is (see eventAsSeen). */
export function seenByViewer(event: Event): boolean {
  return NETWORK_ROLE_KINDS.has(event.kind) && !!event.consortiumId;
}

export function eventAsSeen(viewer: NetworkRoleEventViewer, event: Event): Event {
  if (!NETWORK_ROLE_KINDS.has(event.kind) || !event.consortiumId) return event;
  // The user's organization: the audience of the event (the granting organization on older ones).
  const subjectOrganizationId = event.audienceOrganizationId ?? event.actorOrganizationId ?? '';
  if (networkRoleEventDetail(viewer, subjectOrganizationId) === NetworkRoleEventDetail.FULL) return event;
  return Object.assign(Object.create(Event.prototype) as Event, event, {
    actorUserId: null,
    actorOrganizationId: null,
    actingMembershipId: null,
    audienceOrganizationId: null,
    subjectType: 'Consortium',
    subjectId: event.consortiumId,
    payload: {},
  });
}

/**
 * A page of a consortium's audit trail. Batched across parents: one statement picks the page's
 * sequences of every requested consortium (a lateral LIMIT on the (consortium, sequence) index),
 * one loads those events.
 */
export async function consortiumEventPage(
  ctx: GatewayContext,
  consortiumId: string,
  args: EventPageArgs,
  viewer: NetworkRoleEventViewer,
): Promise<EventConnection> {
  const size = pageSize(args.first, ctx.app.config.limits.maxPageSize);
  const after = sequenceArg(args.after) ?? 0;
  const loader = ctx.loaders.custom<string, EventConnection>(`Consortium.events:${after}:${size}`, async (ids) => {
    const picked = await ctx.em.execute<{ consortium_id: string; sequence: string }[]>(
      `select c.id as consortium_id, e.sequence
         from unnest(?::uuid[]) as c(id)
         cross join lateral (
           select sequence from event where consortium_id = c.id and sequence > ? order by sequence limit ?
         ) e`,
      [`{${ids.join(',')}}`, after, size + 1],
    );
    const events = picked.length
      ? await ctx.em.find(Event, { sequence: { $in: picked.map((p) => Number(p.sequence)) } }, { orderBy: { sequence: 'asc' } })
      : [];
    return ids.map((id) => {
      const rows = events.filter((e) => e.consortiumId === id);
      const nodes = rows.slice(0, size);
      return { nodes, pageInfo: { hasNextPage: rows.length > size, endSequence: nodes.at(-1)?.sequence ?? null } };
    });
  });
  const page = await loader.load(consortiumId);
  return { ...page, nodes: page.nodes.map((e) => eventAsSeen(viewer, e)) };
}

/**
 * Recomputes every hash of a consortium's chain in sequence order, page by page: each event must
 * link to its predecessor's stored hash (the first to none) and hash to its stored value.
 */
export async function verifyEventChain(ctx: GatewayContext, { acting }: ConsortiumGrant): Promise<EventChainVerification> {
  const consortiumId = acting.consortiumId;
  let checked = 0;
  let previousHash: string | null = null;
  let after = 0;
  for (;;) {
    const page = await ctx.em.find(
      Event,
      { consortiumId, sequence: { $gt: after } },
      { orderBy: { sequence: 'asc' }, limit: VERIFY_PAGE, disableIdentityMap: true },
    );
    for (const e of page) {
      checked++;
      const broken = (reason: string) => ({ intact: false, checked, firstBrokenSequence: e.sequence, reason });
      if ((e.prevHash ?? null) !== previousHash) {
        return broken(
          previousHash === null
            ? 'the first event links to a predecessor that is not in the log (events were removed before it)'
            : 'prev_hash does not match the hash of the preceding event (an event was removed, inserted or reordered)',
        );
      }
      const recomputed = eventHash(hashedContent(e));
      if (recomputed !== e.hash) return broken('the event’s content does not match its hash (it was altered)');
      previousHash = e.hash;
      after = e.sequence;
    }
    if (page.length < VERIFY_PAGE) return { intact: true, checked, firstBrokenSequence: null, reason: null };
  }
}
