import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsortiumEventsDocument, type ConsortiumEventsSubscription } from '../generated/graphql';
import { watchStatements } from '../../src/db/reader';
import { sql } from '../support/db';
import { appendEvent, consortiumWithMember, storedSequences, touchConsortium } from '../support/factories/event';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { feedOf, subscribe, type LiveSubscription } from '../support/ws';

let gw: TestGateway;
const open: LiveSubscription<unknown>[] = [];
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await gw?.stop();
});

type Sub = LiveSubscription<ConsortiumEventsSubscription>;

async function consortiumSub(email: string, consortiumId: string, after?: number): Promise<Sub> {
  const sub = await subscribe(gw, await gw.tokenFor(email), ConsortiumEventsDocument, { consortiumId, after });
  open.push(sub as LiveSubscription<unknown>);
  return sub;
}

/** The next `n` events of a subscription: [sequence, label] pairs. */
async function collect(sub: Sub, n: number): Promise<{ sequence: number; label: unknown; kind: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const result = await sub.next();
    expect(result.errors).toBeUndefined();
    const e = result.data!.consortiumEvents;
    out.push({ sequence: e.sequence, label: (e.rawPayload as { label?: unknown }).label, kind: e.kind });
  }
  return out;
}

describe('live delivery', () => {
  it('delivers a change to a member as it commits, with the stored event’s fields', async () => {
    const { admin, consortium, member } = await consortiumWithMember(gw);
    const sub = await consortiumSub(member.owner.email, consortium.id);
    const name = await touchConsortium(admin.owner.client, consortium.id);
    const event = (await sub.next()).data!.consortiumEvents;
    const [stored] = await sql<{ sequence: string; hash: string }>('select sequence, hash from event where consortium_id = ? order by sequence desc limit 1', [
      consortium.id,
    ]);
    expect(event).toMatchObject({
      sequence: Number(stored.sequence),
      hash: stored.hash,
      kind: 'CONSORTIUM_UPDATED',
      consortiumId: consortium.id,
      actorOrganizationId: admin.id,
      actorUserId: admin.owner.id,
      subjectType: 'Consortium',
      subjectId: consortium.id,
    });
    expect(JSON.stringify(event.rawPayload)).toContain(name);
    // Without `after`, it started at the head: the consortium's creation was not replayed.
    await sub.expectNothing(200);
  });

  it('replays what followed `after`, then streams live, with no gap and no duplicate while events keep coming', async () => {
    const { consortium, member } = await consortiumWithMember(gw);
    for (let i = 0; i < 5; i++) await appendEvent(consortium.id, { label: `before-${i}` });
    const [created] = await storedSequences(consortium.id);
    // Appends race with the subscription's registration and replay.
    const appending = (async () => {
      for (let i = 0; i < 15; i++) await appendEvent(consortium.id, { label: `during-${i}` });
    })();
    const sub = await consortiumSub(member.owner.email, consortium.id, created);
    await appending;
    await appendEvent(consortium.id, { label: 'after' });
    const expected = (await storedSequences(consortium.id)).filter((s) => s > created);
    expect(expected).toHaveLength(21);
    const got = await collect(sub, expected.length);
    expect(got.map((e) => e.sequence)).toEqual(expected);
    expect(got.at(-1)!.label).toBe('after');
    await sub.expectNothing(300);
  });

  it('subscribers resuming at once, from the same and from different points, each get exactly what followed their own `after`', async () => {
    const { consortium, admin, member } = await consortiumWithMember(gw);
    for (let i = 0; i < 6; i++) await appendEvent(consortium.id, { label: `before-${i}` });
    const stored = await storedSequences(consortium.id);
    const points = [stored[1], stored[1], stored[1], stored[4], stored[4], stored.at(-1)!];
    // Appends race with the registrations and their replays.
    const appending = (async () => {
      for (let i = 0; i < 6; i++) await appendEvent(consortium.id, { label: `during-${i}` });
    })();
    const subs = await Promise.all(points.map((after, i) => consortiumSub((i % 2 ? member : admin).owner.email, consortium.id, after)));
    await appending;
    await appendEvent(consortium.id, { label: 'after' });
    const all = await storedSequences(consortium.id);
    for (const [i, sub] of subs.entries()) {
      const expected = all.filter((s) => s > points[i]);
      const got = await collect(sub, expected.length);
      expect(got.map((e) => e.sequence)).toEqual(expected);
      expect(got.at(-1)!.label).toBe('after');
    }
    await Promise.all(subs.map((sub) => sub.expectNothing(200)));
  });

  it('reads the replays asked for in one turn with one statement per filter and starting point; each reader gets rows of its own', async () => {
    const { consortium } = await consortiumWithMember(gw);
    for (let i = 0; i < 4; i++) await appendEvent(consortium.id, { label: `replayed-${i}` });
    const [first, second] = await storedSequences(consortium.id);
    const feed = feedOf(gw);
    const before = feed.replayStatements;
    const filter = { consortiumId: consortium.id };
    const pages = await Promise.all([feed.readPage(filter, first, 10), feed.readPage(filter, first, 10), feed.readPage(filter, second, 10)]);
    expect(feed.replayStatements - before).toBe(2);
    const all = await storedSequences(consortium.id);
    expect(pages.map((page) => page.map((e) => e.sequence))).toEqual([all.filter((s) => s > first), all.filter((s) => s > first), all.filter((s) => s > second)]);
    // A stream takes its page apart as it yields it: the other reader's page is untouched.
    pages[0].shift();
    expect(pages[1].map((e) => e.sequence)).toEqual(all.filter((s) => s > first));
  });

  it('resumes after a disconnect: what was committed meanwhile arrives exactly once', async () => {
    const { admin, consortium, member } = await consortiumWithMember(gw);
    const first = await consortiumSub(member.owner.email, consortium.id);
    await touchConsortium(admin.owner.client, consortium.id);
    const [seen] = await collect(first, 1);
    await first.close();

    await appendEvent(consortium.id, { label: 'away-1' });
    await touchConsortium(admin.owner.client, consortium.id);
    await appendEvent(consortium.id, { label: 'away-2' });

    const again = await consortiumSub(member.owner.email, consortium.id, seen.sequence);
    const replayed = await collect(again, 3);
    expect(replayed.map((e) => e.label ?? e.kind)).toEqual(['away-1', 'CONSORTIUM_UPDATED', 'away-2']);
    await appendEvent(consortium.id, { label: 'live' });
    expect((await collect(again, 1))[0].label).toBe('live');
    await again.expectNothing(300);
    expect([seen, ...replayed].map((e) => e.sequence)).toEqual((await storedSequences(consortium.id)).slice(1, 5));
  });

  it('loses nothing when an earlier append commits late: A holds its transaction, B waits, both arrive in order', async () => {
    const { consortium, member } = await consortiumWithMember(gw);
    const sub = await consortiumSub(member.owner.email, consortium.id);
    const a = appendEvent(consortium.id, { label: 'A', holdMs: 300 });
    await new Promise((r) => setTimeout(r, 50)); // A holds the append lock now
    const b = appendEvent(consortium.id, { label: 'B' });
    const [seqA, seqB] = await Promise.all([a, b]);
    expect(seqB).toBeGreaterThan(seqA);
    const got = await collect(sub, 2);
    expect(got).toEqual([
      { sequence: seqA, label: 'A', kind: 'CONSORTIUM_UPDATED' },
      { sequence: seqB, label: 'B', kind: 'CONSORTIUM_UPDATED' },
    ]);
    await sub.expectNothing(300);
  });
});

describe('per-event authorization', () => {
  it('costs the same few statements per batch whatever the number of subscribers', async () => {
    const { admin, consortium, member } = await consortiumWithMember(gw);
    const subs: Sub[] = [];
    for (let i = 0; i < 12; i++) subs.push(await consortiumSub(i % 2 ? member.owner.email : admin.owner.email, consortium.id));
    const statements: string[] = [];
    const unwatch = watchStatements(gw.app.services, (sql) => statements.push(sql));
    try {
      await appendEvent(consortium.id, { label: 'fan-out' });
      for (const sub of subs) expect((await collect(sub, 1))[0].label).toBe('fan-out');
    } finally {
      unwatch();
    }
    // Besides reading the log (which other test files' events also wake): one statement for the
    // consortium's current members and one for the subscribed users' organizations, for all twelve.
    expect(statements.filter((q) => /from "?membership"?/.test(q))).toHaveLength(1);
    expect(statements.filter((q) => /from "?app_user"?/.test(q))).toHaveLength(1);
  });
});

describe('the feed’s LISTEN connection', () => {
  it('is re-established after it is lost, and what was appended meanwhile is delivered', async () => {
    const { consortium, member } = await consortiumWithMember(gw);
    const sub = await consortiumSub(member.owner.email, consortium.id);
    const feed = feedOf(gw);
    const pid = feed.listenerPid;
    expect(pid).toBeTypeOf('number');
    const killed = await sql<{ terminated: boolean }>(
      `select pg_terminate_backend(pid) as terminated from pg_stat_activity where query like 'LISTEN%' and pid = ?`,
      [pid],
    );
    expect(killed).toEqual([{ terminated: true }]);
    const s1 = await appendEvent(consortium.id, { label: 'while-reconnecting-1' });
    const s2 = await appendEvent(consortium.id, { label: 'while-reconnecting-2' });
    // Well before the 5 s safety poll: the reconnect itself catches up.
    const got = await Promise.race([
      collect(sub, 2),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not delivered within 3 s')), 3_000)),
    ]);
    expect(got.map((e) => e.sequence)).toEqual([s1, s2]);
    // The listener is back (on a loaded machine the catch-up may arrive before it is).
    await expect.poll(() => feed.listenerPid, { timeout: 10_000 }).toBeTypeOf('number');
    expect(feed.listenerPid).not.toBe(pid);
    // And it listens again: a later event arrives too.
    const s3 = await appendEvent(consortium.id, { label: 'after-reconnect' });
    expect((await collect(sub, 1))[0].sequence).toBe(s3);
  });
});
