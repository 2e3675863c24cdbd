import { describe, expect, it } from 'vitest';
import { SocketSeatKeeper } from '../../src/http/socket-seats';

/** A worker as the primary sees it, keeping the answers it was sent. */
function worker(id: number) {
  const answers: { id: string; ok: boolean }[] = [];
  return { id, answers, connected: true, send: (m: { id: string; ok: boolean }) => answers.push(m), isConnected() { return this.connected; } };
}

describe('sockets per user across workers (the primary\'s count)', () => {
  it('caps one user across workers, frees a released seat, and gives back the seats of a worker that exits', () => {
    const keeper = new SocketSeatKeeper();
    const one = worker(1);
    const two = worker(2);
    const take = (w: ReturnType<typeof worker>, id: string, subject = 'alice') => keeper.handle(w, { type: 'socket-seat', id, subject, max: 2 });
    take(one, 'a');
    take(two, 'b');
    take(two, 'c');
    take(one, 'd', 'bob');
    expect([...one.answers, ...two.answers].sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { type: 'socket-seat-answer', id: 'a', ok: true },
      { type: 'socket-seat-answer', id: 'b', ok: true },
      { type: 'socket-seat-answer', id: 'c', ok: false },
      { type: 'socket-seat-answer', id: 'd', ok: true },
    ]);
    // A release from a worker that holds no seat of that user changes nothing.
    keeper.handle(two, { type: 'socket-seat-release', subject: 'bob' });
    take(two, 'e', 'bob');
    take(two, 'f', 'bob');
    expect(two.answers.slice(-2).map((a) => a.ok)).toEqual([true, false]);
    // Released on worker two: alice may open one more.
    keeper.handle(two, { type: 'socket-seat-release', subject: 'alice' });
    take(two, 'g');
    expect(two.answers.at(-1)!.ok).toBe(true);
    // Worker one exits: its alice and bob seats come back.
    keeper.workerExited(1);
    take(two, 'h');
    take(two, 'i', 'bob');
    expect(two.answers.slice(-2).map((a) => a.ok)).toEqual([true, true]);
    take(two, 'j');
    expect(two.answers.at(-1)!.ok).toBe(false);
  });
});
