import type { GatewayModule } from '../../graphql/module';
import { authenticated, consortiumAction } from '../../graphql/rules';
import { consortiumNamed, parentConsortium } from '../../graphql/scopes';
import { EVENT_FEED, EventFeed } from './event.feed';
import { ConsortiumEventsResolver, EventPayloadResolver, EventResolver } from './event.resolver';

/** The event log (audit trail, hash chain) and live subscriptions. */
export const eventModule: GatewayModule = {
  name: 'event',
  resolvers: [EventResolver, ConsortiumEventsResolver, EventPayloadResolver],
  rules: {
    Query: { verifyEventChain: consortiumAction('consortium.view', consortiumNamed()) },
    // Shield guards only the resolve step of a subscription, once per event and subscriber, so it
    // stays free of SQL here. The real guards are the subscribe step (consortium.view, or the
    // caller's own organization) and the feed's per-batch check of every event.
    Subscription: { consortiumEvents: authenticated, organizationEvents: authenticated },
    // A Consortium may be reached from another module's type (an invitation, say).
    Consortium: { events: consortiumAction('consortium.view', parentConsortium) },
  },
  async start(app) {
    const feed = new EventFeed(app.orm, app.reader, app.log.child({ component: 'event-feed' }));
    await feed.start();
    app.registry.set(EVENT_FEED, feed);
  },
  async stop(app) {
    const feed = app.registry.get(EVENT_FEED);
    app.registry.delete(EVENT_FEED);
    await feed?.stop();
  },
};
