import { ServiceKey } from '../../registry';
import { Client } from 'pg';
import type { Orm } from '../../db/orm';
import type { SqlReader } from '../../db/reader';
import { AccountRole, CONSORTIUM_GRID, decideConsortiumVisibility, EffectiveRole, MembershipStatus, NetworkRole } from '../../governance';
import { authUser } from '../../auth/acting';
import type { Logger } from '../../logger';
import { Event } from './event.entity';
import { EVENT_CHANNEL } from './event.recorder';
import { EventStream, type EventFilter, type StreamDeps } from './event.stream';

/** The registry key of the gateway instance's feed. */
export const EVENT_FEED = new ServiceKey<EventFeed>('eventFeed');

export interface EventFeedOptions {
  /** Safety poll: the table is read this often even if no NOTIFY arrives. */
  pollMs: number;
  /** Rows read per statement, by the feed and by a subscription's replay. */
  batchSize: number;
  /** Live events a subscriber may have waiting before it is failed as lagging. */
  maxBuffered: number;
  /** Backoff of the LISTEN connection's reconnects. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

const DEFAULTS: EventFeedOptions = { pollMs: 5_000, batchSize: 500, maxBuffered: 1_000, reconnectMinMs: 100, reconnectMaxMs: 5_000 };

const CURRENT = [MembershipStatus.ACTIVE, MembershipStatus.FROZEN];

/**
 * The per-event check below is §8.1 visibility ("the user's current organization holds an ACTIVE
 * or FROZEN membership, and an account GUEST a network role there"), which is consortium.view
 * only while the grid opens it to every role of every current member. Refuse to start if the
 * grid ever says otherwise.
 */
function assertViewIsMembership(): void {
  const view = CONSORTIUM_GRID['consortium.view'];
  if (view.member !== true || !view.administrator || !view.frozenAllowed || view.minRole !== EffectiveRole.GUEST) {
    throw new Error('consortium.view is no longer open to every current member: the event feed’s per-event check must follow the grid');
  }
}

/**
 * One per gateway instance. The event table is the truth and NOTIFY only a wake-up: on every
 * notification (bursts coalesce), after every reconnect of the LISTEN connection, and on a slow
 * safety poll, the feed reads the rows after the last sequence it delivered, in batches, and
 * dispatches them to its in-memory subscribers. Sequence order is commit order (the recorder's
 * append lock), so reading `sequence > head` never skips a late commit.
 */
export class EventFeed {
  private readonly options: EventFeedOptions;
  private head = 0;
  private readonly byConsortium = new Map<string, Set<EventStream>>();
  private readonly byOrganization = new Map<string, Set<EventStream>>();
  private listener: Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempt = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private again = false;
  /** True from reading a batch until it is dispatched: a subscriber registered then must replay it. */
  private inFlight = false;
  private stopped = false;
  /** Replay reads asked for during this turn of the event loop, by filter, after and limit. */
  private pageBatch: Map<string, PageRead> | null = null;
  private readonly streamDeps: StreamDeps;
  /** Subscriptions registered since start; tests and operators read it. */
  registrations = 0;

  constructor(
    private readonly orm: Orm,
    /** The authorization statements of every batch go through the plain read path (see SqlReader). */
    private readonly reader: SqlReader,
    private readonly log: Logger,
    options: Partial<EventFeedOptions> = {},
  ) {
    assertViewIsMembership();
    this.options = { ...DEFAULTS, ...options };
    // One for every stream of this feed, rather than an object and two closures per subscriber.
    this.streamDeps = {
      readPage: (f, from, limit) => this.readPage(f, from, limit),
      pageSize: this.options.batchSize,
      maxBuffered: this.options.maxBuffered,
      onClose: (s) => this.unregister(s),
    };
  }

  /** Starts at the current head of the log: live subscriptions begin there. */
  async start(): Promise<void> {
    const [{ head }] = await this.orm.em.getConnection().execute<{ head: string }[]>(
      'select coalesce(max(sequence), 0) as head from event',
    );
    this.head = Number(head);
    await this.listen();
    this.pollTimer = setInterval(() => this.wake(), this.options.pollMs);
    this.pollTimer.unref();
  }

  /** Stops listening and completes every subscription still open. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.draining;
    for (const set of [...this.byConsortium.values(), ...this.byOrganization.values()]) {
      for (const stream of set) stream.end();
    }
  }

  /**
   * Registers a subscription before anything is read, so no live event can slip between its
   * replay and its live part. With `after` behind the feed's head it replays from there;
   * otherwise it starts live (replaying only a batch being dispatched at this very moment).
   */
  subscribe(userId: string, filter: EventFilter, after: number | null, expiresAt: number | null = null): EventStream {
    const start = after ?? this.head;
    const stream = new EventStream(
      userId,
      filter,
      expiresAt,
      { after: start, replay: start < this.head || this.inFlight },
      this.streamDeps,
    );
    const [index, key] = filter.consortiumId ? [this.byConsortium, filter.consortiumId] : [this.byOrganization, filter.organizationId!];
    let set = index.get(key);
    if (!set) index.set(key, (set = new Set()));
    set.add(stream);
    this.registrations++;
    return stream;
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of [...this.byConsortium.values(), ...this.byOrganization.values()]) n += set.size;
    return n;
  }

  /** The backend pid of the LISTEN connection, or null while it is down. */
  get listenerPid(): number | null {
    return (this.listener as unknown as { processID?: number } | null)?.processID ?? null;
  }

  /**
   * Committed events of a filter after a sequence, ascending; each caller gets an array of its own.
   * Replays asked for during one turn of the event loop are read together: one statement per
   * distinct (filter, after, limit), sent once the turn is over, so many subscribers resuming
   * from the same `after` at once (a reconnect wave) cost one statement. The statement is sent
   * after every stream that asked for it was registered, so it sees every event the feed could
   * have dispatched before them: no gap.
   */
  readPage(filter: EventFilter, after: number, limit: number): Promise<Event[]> {
    let batch = this.pageBatch;
    if (!batch) {
      const pending = (batch = this.pageBatch = new Map());
      setImmediate(() => {
        this.pageBatch = null;
        for (const read of pending.values()) this.readShared(read);
      });
    }
    const key = `${filter.consortiumId ? `c:${filter.consortiumId}` : `o:${filter.organizationId}`}:${after}:${limit}`;
    let read = batch.get(key);
    if (!read) batch.set(key, (read = { filter, after, limit, waiters: [] }));
    const waiters = read.waiters;
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  /** Statements sent for replays (tests and operators read it). */
  replayStatements = 0;

  private readShared({ filter, after, limit, waiters }: PageRead): void {
    this.replayStatements++;
    const where = filter.consortiumId ? { consortiumId: filter.consortiumId } : { audienceOrganizationId: filter.organizationId };
    this.orm.em
      .fork()
      .find(Event, { ...where, sequence: { $gt: after } }, { orderBy: { sequence: 'asc' }, limit, disableIdentityMap: true })
      .then(
        // A stream takes its page apart as it yields it: each gets its own array of the shared rows.
        (rows) => waiters.forEach((w, i) => w.resolve(i === waiters.length - 1 ? rows : rows.slice())),
        (error) => waiters.forEach((w) => w.reject(error)),
      );
  }

  /** Reads what is new now; wake-ups during a pass coalesce into one more pass. */
  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.again = false;
    this.draining = this.catchUp()
      // The next notification or poll retries from the same head: nothing is skipped.
      .catch((err) => this.log.error({ err }, 'event feed could not read the event log'))
      .finally(() => {
        this.draining = null;
        if (this.again) this.wake();
      });
  }

  private unregister(stream: EventStream): void {
    const [index, key] = stream.filter.consortiumId
      ? [this.byConsortium, stream.filter.consortiumId]
      : [this.byOrganization, stream.filter.organizationId!];
    const set = index.get(key);
    if (set?.delete(stream) && set.size === 0) index.delete(key);
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      let rows: Event[];
      this.inFlight = true;
      try {
        rows = await this.orm.em
          .fork()
          .find(Event, { sequence: { $gt: this.head } }, { orderBy: { sequence: 'asc' }, limit: this.options.batchSize, disableIdentityMap: true });
        if (rows.length === 0 || this.stopped) return;
        await this.dispatch(rows);
        this.head = rows[rows.length - 1].sequence;
      } finally {
        this.inFlight = false;
      }
      if (rows.length < this.options.batchSize) return;
    }
  }

  /**
   * Authorizes a batch for every interested subscriber with two statements in all (the current
   * members of the batch's consortia, the current organization of the subscribed users), then
   * checks each subscriber in memory. A subscriber that lost access is completed.
   */
  private async dispatch(rows: Event[]): Promise<void> {
    const consortia = new Set<string>();
    const users = new Set<string>();
    for (const row of rows) {
      const c = row.consortiumId ? this.byConsortium.get(row.consortiumId) : undefined;
      if (c) {
        consortia.add(row.consortiumId!);
        for (const s of c) users.add(s.userId);
      }
      const o = row.audienceOrganizationId ? this.byOrganization.get(row.audienceOrganizationId) : undefined;
      if (o) for (const s of o) users.add(s.userId);
    }
    if (users.size === 0) return;
    const [members, facts] = await Promise.all([this.currentMembers([...consortia]), this.usersFacts([...users])]);
    const now = Date.now();
    const expired = (s: EventStream) => {
      if (s.expiresAt === null || now < s.expiresAt) return false;
      s.expire();
      return true;
    };
    // A service account suspended or deleted since the subscription began: its credential no longer counts.
    const revoked = (s: EventStream, user: UserFacts) => {
      if (!user.credentialRevoked) return false;
      s.revoke(user.credentialRevoked);
      return true;
    };
    const deliver = (row: Event, s: EventStream) => {
      const user = facts.get(s.userId);
      if (!user || expired(s) || revoked(s, user)) return;
      if (row.consortiumId && s.filter.consortiumId === row.consortiumId) {
        const allowed = members.get(row.consortiumId);
        // §8.1 visibility, as for a request: a current membership and, for an account GUEST, a network role.
        const visibility = decideConsortiumVisibility({
          memberships: (user.organizationId && allowed?.get(user.organizationId)) || [],
          accountRole: user.accountRole,
          networkRole: user.networkRoles[row.consortiumId] ?? null,
        });
        if (visibility.allowed) s.push(row);
        else s.end();
      } else if (user.organizationId === s.filter.organizationId) s.push(row);
      else s.end();
    };
    // The subscribers of the batch as they are now, in slices: each slice's deliveries run to their
    // socket writes before the next slice starts, so that tens of thousands of deliveries are not
    // all in flight (and alive for the garbage collector) at once. A stream registered meanwhile is
    // not in the list: it replays this batch from the table.
    const targets: [Event, EventStream][] = [];
    for (const row of rows) {
      for (const s of (row.consortiumId && this.byConsortium.get(row.consortiumId)) || []) targets.push([row, s]);
      for (const s of (row.audienceOrganizationId && this.byOrganization.get(row.audienceOrganizationId)) || []) targets.push([row, s]);
    }
    for (let start = 0; start < targets.length; start += DELIVERY_SLICE) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const end = Math.min(targets.length, start + DELIVERY_SLICE);
      for (let i = start; i < end; i++) deliver(targets[i][0], targets[i][1]);
    }
  }

  /** The statuses of the ACTIVE or FROZEN memberships of each organization, per consortium that is not deleted. */
  private async currentMembers(consortiumIds: string[]): Promise<Map<string, Map<string, { status: MembershipStatus }[]>>> {
    const members = new Map<string, Map<string, { status: MembershipStatus }[]>>();
    if (consortiumIds.length === 0) return members;
    const rows = await this.reader.rows<{ consortium_id: string; organization_id: string; status: string }>(
      `select m.consortium_id, m.organization_id, m.status
         from membership m join consortium c on c.id = m.consortium_id
        where m.consortium_id = any($1::uuid[]) and c.deleted_at is null and m.status in ($2, $3)`,
      [pgArray(consortiumIds), ...CURRENT],
    );
    for (const r of rows) {
      let byOrg = members.get(r.consortium_id);
      if (!byOrg) members.set(r.consortium_id, (byOrg = new Map()));
      const statuses = byOrg.get(r.organization_id) ?? [];
      statuses.push({ status: r.status as MembershipStatus });
      byOrg.set(r.organization_id, statuses);
    }
    return members;
  }

  /**
   * Each user's current organization, account role and network roles by consortium (a user who
   * is gone has no organization, and so sees nothing).
   */
  private async usersFacts(userIds: string[]): Promise<Map<string, UserFacts>> {
    const rows = await this.reader.rows<{
      id: string;
      organization_id: string | null;
      account_role: string | null;
      network_roles: Record<string, string> | null;
      service_account: string | null;
    }>(
      // A service account's user: its status; a user with neither subject nor email is a deleted
      // one's. Network roles only for the users holding any (null otherwise: nothing to parse).
      `select u.id, u.organization_id, u.account_role,
              case when u.subject is null and u.email is null then 'DELETED' else sa.status end as service_account,
              nr.roles as network_roles
         from app_user u
         left join service_account sa on sa.user_id = u.id
         left join (select user_id, json_object_agg(consortium_id, role) as roles
                      from network_role where user_id = any($1::uuid[]) group by user_id) nr on nr.user_id = u.id
        where u.id = any($1::uuid[])`,
      [pgArray(userIds)],
    );
    const result = new Map<string, UserFacts>(
      userIds.map((id) => [id, { organizationId: null, accountRole: null, networkRoles: {}, credentialRevoked: null }]),
    );
    for (const r of rows) {
      const { organizationId, accountRole } = authUser(r.id, r.organization_id, r.account_role as AccountRole | null);
      result.set(r.id, {
        organizationId,
        accountRole,
        networkRoles: (r.network_roles ?? NO_ROLES) as Record<string, NetworkRole>,
        credentialRevoked:
          r.service_account === 'SUSPENDED'
            ? 'This service account has been suspended'
            : r.service_account === 'DELETED'
              ? 'This service account has been deleted'
              : null,
      });
    }
    return result;
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.orm.config.get('clientUrl'),
      application_name: 'gateway-event-feed',
      keepAlive: true,
    });
    client.on('notification', () => this.wake());
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENT_CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.reconnectAttempt > 0) this.log.info('event feed listening again; catching up from the log');
    this.reconnectAttempt = 0;
    // Whatever was committed while not listening is read now.
    this.wake();
  }

  private lost(client: Client, err?: unknown): void {
    if (this.stopped || this.listener !== client) return;
    this.listener = null;
    client.end().catch(() => undefined);
    const { reconnectMinMs, reconnectMaxMs } = this.options;
    const delay = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** this.reconnectAttempt) * (0.75 + Math.random() * 0.5);
    this.reconnectAttempt++;
    this.log.warn({ err, retryInMs: Math.round(delay) }, 'event feed lost its LISTEN connection');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.listen();
    }, delay);
    this.reconnectTimer.unref();
  }
}

interface PageRead {
  filter: EventFilter;
  after: number;
  limit: number;
  waiters: { resolve: (rows: Event[]) => void; reject: (error: unknown) => void }[];
}

interface UserFacts {
  /** Why a service account's credential no longer counts (suspended, deleted); null while it does. */
  credentialRevoked: string | null;
  organizationId: string | null;
  accountRole: AccountRole | null;
  networkRoles: Record<string, NetworkRole>;
}

/** Deliveries started together by the feed before it lets them reach their sockets (see dispatch). */
const DELIVERY_SLICE = 1_000;

const NO_ROLES: Readonly<Record<string, NetworkRole>> = Object.freeze({});

/** A text literal of a uuid[] (ids come from the database, never from a client). */
function pgArray(ids: string[]): string {
  return `{${ids.join(',')}}`;
}
