import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';

/**
 * Open WebSockets per user, capped across every gateway process of this host: with `WORKERS`
 * processes sharing the port, a per-process count would let one user open WORKERS times the
 * cap. The primary of the cluster keeps the count (see `countSocketsForWorkers`); a gateway
 * started alone (WORKERS=1, tests, the benchmark) counts in its own memory.
 */
export interface SocketSeats {
  /** Takes a seat for one socket of `subject`; false when the user already holds `max`. */
  take(subject: string, max: number): Promise<boolean>;
  /** Gives back a seat taken by `take`. */
  release(subject: string): void;
}

/** Messages between a worker and the primary (node:cluster IPC). */
export type SeatRequest = { type: 'socket-seat'; id: string; subject: string; max: number } | { type: 'socket-seat-release'; subject: string };
type SeatAnswer = { type: 'socket-seat-answer'; id: string; ok: boolean };

/** Longest a worker waits for the primary's answer before it refuses the socket. */
const ANSWER_TIMEOUT_MS = 5_000;

class Counts {
  private readonly open = new Map<string, number>();

  take(subject: string, max: number): boolean {
    const held = this.open.get(subject) ?? 0;
    if (held >= max) return false;
    this.open.set(subject, held + 1);
    return true;
  }

  release(subject: string, times = 1): void {
    const left = (this.open.get(subject) ?? 0) - times;
    if (left > 0) this.open.set(subject, left);
    else this.open.delete(subject);
  }
}

/** The seats of a gateway process: the primary's count in a cluster worker, else its own. */
export function socketSeats(): SocketSeats {
  if (!cluster.isWorker || !process.send) {
    const counts = new Counts();
    return { take: async (subject, max) => counts.take(subject, max), release: (subject) => counts.release(subject) };
  }
  const waiting = new Map<string, (ok: boolean) => void>();
  process.on('message', (message: SeatAnswer) => {
    if (message?.type !== 'socket-seat-answer') return;
    waiting.get(message.id)?.(message.ok);
    waiting.delete(message.id);
  });
  return {
    take: (subject, max) =>
      new Promise<boolean>((resolve) => {
        const id = randomUUID();
        const timer = setTimeout(() => {
          // No answer (the primary is gone or stuck): refusing is the safe side of a cap.
          waiting.delete(id);
          resolve(false);
        }, ANSWER_TIMEOUT_MS);
        timer.unref();
        waiting.set(id, (ok) => {
          clearTimeout(timer);
          resolve(ok);
        });
        process.send!({ type: 'socket-seat', id, subject, max } satisfies SeatRequest);
      }),
    release: (subject) => {
      if (process.connected) process.send!({ type: 'socket-seat-release', subject } satisfies SeatRequest);
    },
  };
}

/** What the primary needs of a worker to answer it. */
interface SeatHolder {
  id: number;
  send(message: SeatAnswer): unknown;
  isConnected(): boolean;
}

/**
 * The primary's side: one count for every worker. A worker that exits gives back the seats of
 * the sockets it held (they closed with it).
 */
export class SocketSeatKeeper {
  private readonly counts = new Counts();
  /** Seats held, per worker and user. */
  private readonly held = new Map<number, Map<string, number>>();

  handle(worker: SeatHolder, message: SeatRequest): void {
    if (message?.type === 'socket-seat') {
      const ok = this.counts.take(message.subject, message.max);
      if (ok) {
        const mine = this.held.get(worker.id) ?? new Map<string, number>();
        mine.set(message.subject, (mine.get(message.subject) ?? 0) + 1);
        this.held.set(worker.id, mine);
      }
      if (worker.isConnected()) worker.send({ type: 'socket-seat-answer', id: message.id, ok });
    } else if (message?.type === 'socket-seat-release') {
      const mine = this.held.get(worker.id);
      const n = mine?.get(message.subject) ?? 0;
      if (n === 0) return;
      this.counts.release(message.subject);
      if (n > 1) mine!.set(message.subject, n - 1);
      else mine!.delete(message.subject);
    }
  }

  workerExited(workerId: number): void {
    for (const [subject, n] of this.held.get(workerId) ?? []) this.counts.release(subject, n);
    this.held.delete(workerId);
  }
}
