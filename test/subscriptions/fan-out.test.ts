// A batch of events dispatched to more subscribers than the feed delivers in one slice
// (DELIVERY_SLICE in src/modules/event/event.feed.ts): every subscriber gets every event of the
// batch exactly once and in order, and one that lost its access, placed after the first slice,
// is completed without any of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsortiumEventSequencesDocument, EventsRemoveUserDocument, type ConsortiumEventSequencesSubscription } from '../generated/graphql';
import { watchStatements } from '../../src/db/reader';
import { appendEvent, appendEvents, consortiumWithMember } from '../support/factories/event';
import { addUser } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { connect, feedOf, subscribe, untilRegistered, type Connection, type LiveSubscription } from '../support/ws';

const PER_SOCKET = 400;
const WAVE = 50;

let gw: TestGateway;
const connections: Connection[] = [];
beforeAll(async () => {
  // Many subscriptions per socket, and budgets that a thousand subscribe steps do not exhaust.
  gw = await startTestGateway({ MAX_SUBSCRIPTIONS_PER_SOCKET: String(PER_SOCKET), RATE_BUDGET_PER_MINUTE: '10000000' });
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await gw?.stop();
});

type Sub = LiveSubscription<ConsortiumEventSequencesSubscription>;

describe('a batch dispatched to more than a thousand subscribers', () => {
  // About 5 s on an idle 2-core machine; the timeout leaves room for one shared with other runs.
  it('reaches every subscriber once and in order, and completes one that lost access after the first slice', { timeout: 60_000 }, async () => {
    const { consortium, admin, member } = await consortiumWithMember(gw);
    const colleague = await addUser(gw, member, 'MEMBER');
    const [adminToken, memberToken] = await Promise.all([gw.tokenFor(admin.owner.email), gw.tokenFor(member.owner.email)]);
    const feed = feedOf(gw);
    const before = feed.registrations;
    const variables = { consortiumId: consortium.id };

    // The feed delivers to a consortium's subscribers in the order they registered. Sent a wave
    // at a time, each registered before the next: a burst of hundreds of operations would queue
    // for the gateway's database pools.
    const open = async (token: string, n: number): Promise<Sub[]> => {
      const conn = connect(gw, token);
      connections.push(conn);
      const opened: Sub[] = [];
      while (opened.length < n) {
        const wave = Math.min(WAVE, n - opened.length);
        const registered = feed.registrations + wave;
        for (let i = 0; i < wave; i++) opened.push(conn.subscribe(ConsortiumEventSequencesDocument, variables));
        await untilRegistered(gw, registered);
      }
      return opened;
    };
    const subs = [...(await open(adminToken, PER_SOCKET)), ...(await open(memberToken, PER_SOCKET)), ...(await open(adminToken, 220))];
    expect(subs.length).toBeGreaterThan(1_000);
    const removed = await subscribe(gw, await gw.tokenFor(colleague.email), ConsortiumEventSequencesDocument, variables);
    expect(feed.registrations).toBe(before + subs.length + 1);
    subs.push(...(await open(memberToken, 30)));
    expect(feed.registrations).toBe(before + subs.length + 1);

    // Writes no event: the colleague learns of it with the next batch.
    await member.owner.client.ok(EventsRemoveUserDocument, { organizationId: member.id, userId: colleague.id });

    const labels = ['one', 'two', 'three', 'four', 'five'];
    const statements: string[] = [];
    const unwatch = watchStatements(gw.app.services, (sql) => statements.push(sql));
    let sequences: number[];
    try {
      sequences = await appendEvents(consortium.id, labels.map((label) => ({ label })));
      await Promise.all(
        subs.map(async (sub, i) => {
          const got = [];
          for (const _ of labels) {
            const result = await sub.next(10_000);
            expect(result.errors, `subscriber ${i}`).toBeUndefined();
            const e = result.data!.consortiumEvents;
            got.push([e.sequence, (e.rawPayload as { label?: unknown }).label]);
          }
          expect(got, `subscriber ${i}`).toEqual(sequences.map((s, k) => [s, labels[k]]));
        }),
      );
      expect(await removed.end(10_000)).toEqual({ kind: 'complete' });
    } finally {
      unwatch();
    }
    // One batch: the consortium's members were read once for all of it.
    expect(statements.filter((q) => /from "?membership"?/.test(q))).toHaveLength(1);

    // Nothing delivered twice: the next thing every subscriber gets is a later event.
    const last = await appendEvent(consortium.id, { label: 'after' });
    await Promise.all(
      subs.map(async (sub, i) => {
        const e = (await sub.next(10_000)).data!.consortiumEvents;
        expect([e.sequence, (e.rawPayload as { label?: unknown }).label], `subscriber ${i}`).toEqual([last, 'after']);
      }),
    );
  });
});
