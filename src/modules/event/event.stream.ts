import { GraphQLError } from 'graphql';
import { eventDeliveryDelay, eventsDelivered } from '../../observability/metrics';
import type { Event } from './event.entity';

/** Which events a subscription follows. */
export type EventFilter = { consortiumId: string; organizationId?: undefined } | { organizationId: string; consortiumId?: undefined };

/** Reads committed events of a filter with `sequence > after`, ascending, at most `limit`. */
export type PageReader = (filter: EventFilter, after: number, limit: number) => Promise<Event[]>;

/** What a stream needs of its feed; one object for all the streams of a feed. */
export interface StreamDeps {
  readPage: PageReader;
  pageSize: number;
  maxBuffered: number;
  onClose: (s: EventStream) => void;
}

/** The code a lagging subscriber's error carries; `extensions.resumeAfter` says where to resume. */
export const SUBSCRIPTION_LAGGING = 'SUBSCRIPTION_LAGGING';

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * One live subscription: the async iterator graphql-ws pulls from. It first replays committed
 * events from the table (when it starts behind the feed), then yields the live events the feed
 * pushed meanwhile and afterwards, skipping every sequence it already yielded: no gap, no
 * duplicate. The live buffer is bounded: a subscriber that falls `maxBuffered` events behind
 * is failed with SUBSCRIPTION_LAGGING (and `resumeAfter`), so memory stays bounded and the
 * client resumes with `after`. A subscriber that loses access is completed without another event.
 */
export class EventStream implements AsyncIterableIterator<Event> {
  private queue: Event[] = [];
  private last: number;
  private replaying: boolean;
  private page: Event[] = [];
  private wakeUp: (() => void) | null = null;
  /** The pending next() of a live subscriber waiting for an event (see next). */
  private waiter: { resolve: (step: IteratorResult<Event>) => void; reject: (error: unknown) => void } | null = null;
  private outcome: 'complete' | GraphQLError | null = null;
  private closed = false;

  constructor(
    readonly userId: string,
    readonly filter: EventFilter,
    /** When the subscriber's token expires (ms since the epoch); null: never. */
    readonly expiresAt: number | null,
    start: { after: number; replay: boolean },
    private readonly deps: StreamDeps,
  ) {
    this.last = start.after;
    this.replaying = start.replay;
  }

  get isClosed(): boolean {
    return this.closed || this.outcome !== null;
  }

  /** Called by the feed with an authorized live event. */
  push(event: Event): void {
    if (this.isClosed) return;
    if (this.queue.length >= this.deps.maxBuffered) {
      this.finish(
        new GraphQLError(
          `This subscription fell more than ${this.deps.maxBuffered} events behind and was stopped; subscribe again with after: ${this.last}`,
          { extensions: { code: SUBSCRIPTION_LAGGING, resumeAfter: this.last } },
        ),
      );
      return;
    }
    this.queue.push(event);
    this.notify();
  }

  /** Access lost (or the gateway stops): nothing more is delivered, the subscription completes. */
  end(): void {
    this.finish('complete');
  }

  /** Ends a subscription whose token has expired: the client reconnects with a fresh token. */
  expire(): void {
    this.finish(
      new GraphQLError('The token of this subscription has expired: connect again with a fresh token', {
        extensions: { code: 'UNAUTHENTICATED', resumeAfter: this.last },
      }),
    );
  }

  /** Ends a subscription whose credential was withdrawn (a service account suspended or deleted). */
  revoke(reason: string): void {
    this.finish(
      new GraphQLError(`${reason}: its tokens are no longer accepted`, {
        extensions: { code: 'UNAUTHENTICATED', resumeAfter: this.last },
      }),
    );
  }

  /**
   * The next event. A live subscriber (the common case: every subscriber of every event) takes it
   * without an async function: at once when one is queued, else through one promise that the
   * feed's push resolves. Replay, and the end of the stream, go through `pull`.
   */
  next(): Promise<IteratorResult<Event>> {
    const ready = this.takeLive();
    if (ready) return Promise.resolve(ready);
    if (this.replaying || this.page.length > 0 || this.closed || this.outcome) return this.pull();
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** A queued live event, when the stream is live and open; null otherwise. */
  private takeLive(): IteratorYieldResult<Event> | null {
    if (this.replaying || this.page.length > 0 || this.closed || this.outcome) return null;
    for (let event = this.queue.shift(); event; event = this.queue.shift()) {
      if (event.sequence <= this.last) continue;
      this.last = event.sequence;
      observeDelivery(event, false);
      return { value: event, done: false };
    }
    return null;
  }

  private async pull(): Promise<IteratorResult<Event>> {
    for (;;) {
      if (this.closed) return DONE;
      if (this.outcome) {
        const outcome = this.outcome;
        this.close();
        if (outcome === 'complete') return DONE;
        throw outcome;
      }
      const replayed = this.page.shift();
      const candidate = replayed ?? (this.replaying ? undefined : this.queue.shift());
      if (candidate) {
        if (candidate.sequence <= this.last) continue;
        this.last = candidate.sequence;
        observeDelivery(candidate, replayed !== undefined);
        return { value: candidate, done: false };
      }
      if (this.replaying) {
        // The table is read page by page, only as fast as the client takes the events.
        const rows = await this.deps.readPage(this.filter, this.last, this.deps.pageSize);
        if (rows.length < this.deps.pageSize) this.replaying = false;
        this.page = rows;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
    }
  }

  /** The client completed or the socket closed: unregister at once, even while waiting. */
  async return(): Promise<IteratorResult<Event>> {
    this.close();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<Event>> {
    this.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(outcome: 'complete' | GraphQLError): void {
    if (this.isClosed) return;
    this.outcome = outcome;
    this.queue = [];
    this.page = [];
    this.deps.onClose(this);
    this.notify();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.page = [];
    this.deps.onClose(this);
    this.notify();
  }

  private notify(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    const ready = this.takeLive();
    if (ready) waiter.resolve(ready);
    else this.pull().then(waiter.resolve, waiter.reject);
  }
}

/** Counts a delivery; the delay histogram holds live deliveries only (a replay's age is the client's gap). */
function observeDelivery(event: Event, replayed: boolean): void {
  eventsDelivered.inc({ mode: replayed ? 'replay' : 'live' });
  if (replayed) return;
  // A metric never stops a delivery: an event without a readable time is counted, not timed.
  const written = new Date(event.createdAt as Date | string | undefined ?? Number.NaN).getTime();
  if (Number.isFinite(written)) eventDeliveryDelay.observe(Math.max(0, Date.now() - written) / 1000);
}
