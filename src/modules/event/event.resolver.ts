import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { NetworkRoleEventViewer } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type ConsortiumGrant } from '../../graphql/grant';
import { consortiumDecision, organizationDecision } from '../../graphql/rules';
import { consortiumNamed } from '../../graphql/scopes';
import { Consortium } from '../consortium/consortium.entity';
import { Event } from './event.entity';
import { EventPayload, typedPayload } from './event.payloads';
import {
  consortiumEventPage,
  eventAsSeen,
  guardSubscribe,
  seenByViewer,
  subscribeConsortiumEvents,
  subscribeOrganizationEvents,
  verifyEventChain,
} from './event.service';
import { ConsortiumEventsArgs, EventChainVerification, EventConnection, EventPageArgs, OrganizationEventsArgs } from './event.types';

/** Who reads a consortium's events, for the §8.1 network-role detail (the caller's rights, read once per request). */
async function viewerIn(ctx: GatewayContext, consortiumId: string): Promise<NetworkRoleEventViewer> {
  const memberships = await ctx.authz.membershipsIn(consortiumId);
  return { organizationId: ctx.authz.organizationId ?? '', memberships };
}

type Subscribe<A> = SubscribeResolverData<unknown, A, GatewayContext>;

// Shield does not guard a subscription's subscribe step: it decides here, through the same
// decisions the rules use, before anything is registered; the feed checks every event again.
const viewConsortium = consortiumDecision('consortium.view', consortiumNamed('consortiumId', null));
const viewOwnOrganization = organizationDecision('organization.view');

const LIVE_NOTE =
  'Authorization is checked when subscribing and again for every event: a subscriber that loses access ' +
  'receives nothing more and the subscription completes. A subscriber that falls too far behind ' +
  '(a bounded buffer) gets an error with extensions.code SUBSCRIPTION_LAGGING and extensions.resumeAfter: ' +
  'subscribe again with after = resumeAfter (or the last sequence it saw) to continue without a gap.';

@Resolver()
export class EventResolver {
  @Query(() => EventChainVerification, {
    description: 'consortium.view: recomputes every hash of the consortium’s event chain, in sequence order',
  })
  verifyEventChain(
    @Arg('consortiumId', () => ID) _consortiumId: string,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<EventChainVerification> {
    return verifyEventChain(ctx, grant);
  }

  @Subscription(() => Event, {
    description: `consortium.view: every event of one consortium; with after, replays what followed it first. ${LIVE_NOTE}`,
    subscribe: ({ args, context }: Subscribe<ConsortiumEventsArgs>) =>
      guardSubscribe(context, async () => subscribeConsortiumEvents(context, await viewConsortium(null, args, context), args)),
  })
  consortiumEvents(
    @Root() event: Event,
    @Args(() => ConsortiumEventsArgs) _args: ConsortiumEventsArgs,
    @Ctx() ctx: GatewayContext,
  ): Event | Promise<Event> {
    // Run for every subscriber of every event: the caller's memberships are read only for the
    // events whose content depends on the viewer (network roles, §8.1).
    if (!seenByViewer(event)) return event;
    return viewerIn(ctx, event.consortiumId ?? '').then((viewer) => eventAsSeen(viewer, event));
  }

  @Subscription(() => Event, {
    description: `Events addressed to your organization (invitations, applications, its memberships frozen or unfrozen, proposals it may vote on). ${LIVE_NOTE}`,
    subscribe: ({ args, context }: Subscribe<OrganizationEventsArgs>) =>
      guardSubscribe(context, () => subscribeOrganizationEvents(context, viewOwnOrganization(context), args)),
  })
  organizationEvents(@Root() event: Event, @Args(() => OrganizationEventsArgs) _args: OrganizationEventsArgs): Event {
    return event;
  }
}

@Resolver(() => Consortium)
export class ConsortiumEventsResolver {
  @FieldResolver(() => EventConnection, { description: 'The audit trail (consortium.view), ascending by sequence' })
  async events(@Root() consortium: Consortium, @Args(() => EventPageArgs) args: EventPageArgs, @Ctx() ctx: GatewayContext): Promise<EventConnection> {
    return consortiumEventPage(ctx, consortium.id, args, await viewerIn(ctx, consortium.id));
  }
}

@Resolver(() => Event)
export class EventPayloadResolver {
  @FieldResolver(() => EventPayload, { name: 'payload', description: 'What the event records, typed by its kind' })
  typedPayload(@Root() event: Event): object {
    return typedPayload(event.kind, event.payload);
  }

  @FieldResolver(() => GraphQLJSONObject, { description: 'The payload as stored and hashed (the audit log); `payload` is its typed view' })
  rawPayload(@Root() event: Event): Record<string, unknown> {
    return event.payload;
  }
}
