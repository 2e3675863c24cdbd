import type { RequestHandler } from 'express';
import type { ServerResponse } from 'node:http';

/**
 * Graceful shutdown of the transports. From `start()` on no new operation begins: an HTTP request
 * is answered 503 with `Connection: close` (also one arriving late on a keep-alive connection),
 * a WebSocket operation gets SERVICE_UNAVAILABLE. Every operation that began is counted until
 * its answer has been written, and `start()` resolves only when none is left (or after the
 * timeout), so the database pools close after the last answer, never under one.
 */
export class Drain {
  private draining = false;
  private inFlight = 0;
  private readonly open = new Set<ServerResponse>();
  private waiters: (() => void)[] = [];

  constructor(private readonly retryAfterSeconds: number) {}

  get isDraining(): boolean {
    return this.draining;
  }

  /** Express middleware: refuses requests once draining, counts the others until answered. */
  middleware(): RequestHandler {
    return (_req, res, next) => {
      if (this.draining) {
        res.setHeader('connection', 'close');
        res.setHeader('retry-after', String(this.retryAfterSeconds));
        res.status(503).json({
          errors: [{ message: 'The gateway is shutting down; retry on another instance', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
        });
        return;
      }
      this.inFlight++;
      this.open.add(res);
      res.once('close', () => {
        this.open.delete(res);
        this.done();
      });
      next();
    };
  }

  /** Runs one WebSocket operation, counted like a request (the caller refuses new ones when draining). */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await operation();
    } finally {
      this.done();
    }
  }

  /** Stops admitting operations and waits for the ones in flight to be answered. */
  async start(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    // Answers still to be written tell keep-alive clients to reconnect (to another instance).
    for (const res of this.open) if (!res.headersSent) res.setHeader('connection', 'close');
    if (this.inFlight === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private done(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }
}
