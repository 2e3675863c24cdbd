import { describe, expect, it } from 'vitest';
import type { Event } from '../../src/modules/event/event.entity';
import { EventStream, SUBSCRIPTION_LAGGING, type EventFilter } from '../../src/modules/event/event.stream';

// The merge of replay and live delivery, and the bounded buffer, without a database: the table
// is an array, and the test plays the feed.
const ev = (sequence: number) => ({ sequence, consortiumId: 'c' }) as unknown as Event;

function streamOver(table: Event[], opts: { after: number; replay: boolean; pageSize?: number; maxBuffered?: number }) {
  const reads: number[] = [];
  let closed = 0;
  const stream = new EventStream('u', { consortiumId: 'c' } as EventFilter, null, opts, {
    readPage: async (_f, after, limit) => {
      reads.push(after);
      return table.filter((e) => e.sequence > after).slice(0, limit);
    },
    pageSize: opts.pageSize ?? 2,
    maxBuffered: opts.maxBuffered ?? 100,
    onClose: () => closed++,
  });
  return { stream, reads, closes: () => closed };
}

async function take(stream: EventStream, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await stream.next();
    if (r.done) break;
    out.push(r.value.sequence);
  }
  return out;
}

describe('event stream', () => {
  it('replays page by page, then yields live events once each, in order', async () => {
    const table = [1, 2, 3, 4, 5].map(ev);
    const { stream, reads } = streamOver(table, { after: 1, replay: true, pageSize: 2 });
    // Live events pushed while the replay has not even started: 4 and 5 are also in the table.
    stream.push(ev(4));
    stream.push(ev(5));
    stream.push(ev(6));
    expect(await take(stream, 5)).toEqual([2, 3, 4, 5, 6]);
    expect(reads).toEqual([1, 3, 5]);
    stream.push(ev(7));
    expect(await take(stream, 1)).toEqual([7]);
  });

  it('without replay yields only what the feed pushes after the start', async () => {
    const { stream, reads } = streamOver([ev(1), ev(2)], { after: 2, replay: false });
    const pending = stream.next();
    stream.push(ev(2)); // already behind the start: skipped
    stream.push(ev(3));
    expect((await pending).value?.sequence).toBe(3);
    expect(reads).toEqual([]);
  });

  it('fails a subscriber that falls too far behind with SUBSCRIPTION_LAGGING and where to resume', async () => {
    const { stream, closes } = streamOver([], { after: 10, replay: false, maxBuffered: 3 });
    stream.push(ev(11));
    expect(await take(stream, 1)).toEqual([11]);
    for (const s of [12, 13, 14, 15]) stream.push(ev(s));
    expect(closes()).toBe(1); // unregistered at once: nothing more is buffered for it
    await expect(stream.next()).rejects.toMatchObject({ extensions: { code: SUBSCRIPTION_LAGGING, resumeAfter: 11 } });
    expect((await stream.next()).done).toBe(true);
  });

  it('completes without another event when access is lost, even with events waiting', async () => {
    const { stream } = streamOver([], { after: 0, replay: false });
    stream.push(ev(1));
    stream.end();
    expect((await stream.next()).done).toBe(true);
  });

  it('return() ends a subscriber that is waiting for events and unregisters it', async () => {
    const { stream, closes } = streamOver([], { after: 0, replay: false });
    const pending = stream.next();
    await stream.return();
    expect((await pending).done).toBe(true);
    expect(closes()).toBeGreaterThanOrEqual(1);
    stream.push(ev(1));
    expect((await stream.next()).done).toBe(true);
  });
});
