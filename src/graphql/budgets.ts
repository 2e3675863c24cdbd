import { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { sessionSettings } from '../db/session';
import { refusal } from './refusal';

/** What a caller has left of this minute's budget (`extensions.cost` and the `rateBudget` query). */
export interface BudgetState {
  /** Points this operation spent. */
  spent: number;
  limit: number;
  remaining: number;
  /** When the budget is whole again, in ms since the epoch. */
  resetAt: number;
}

const WINDOW_SECONDS = 60;

/**
 * Cost budgets per caller, as GitHub and Shopify meter their GraphQL APIs: every operation
 * spends its estimated cost from a budget of points per minute. The counters live in PostgreSQL
 * (rate-limiter-flexible's store, table `rate_budget`), so every gateway instance on one database
 * draws from the same budget. A principal is metered by its token's subject; a caller without a
 * token by its client address. Failed authentications have a budget of their own per address.
 */
export class Budgets {
  private readonly pool: Pool;
  private readonly principals: RateLimiterPostgres;
  private readonly anonymous: RateLimiterPostgres;
  private readonly authFailures: RateLimiterPostgres;

  constructor(
    url: string,
    private readonly config: Config,
  ) {
    // Every metered operation writes its counter, so a commit here must not wait for the WAL to
    // reach the disk (`synchronous_commit=off`, for this pool's sessions only): a crash of the
    // database may forget the last fraction of a second of spending, which a budget per minute
    // tolerates; each counter is still updated atomically and every operation is still metered.
    this.pool = new Pool({
      connectionString: url,
      max: Math.max(2, Math.ceil(config.dbPoolMax / 2)),
      connectionTimeoutMillis: 5_000,
      onConnect: sessionSettings({ synchronous_commit: 'off' }),
    });
    // An idle client that loses its connection (server restart) must not crash the process.
    this.pool.on('error', () => undefined);
    const store = (keyPrefix: string, points: number) =>
      new RateLimiterPostgres({
        storeClient: this.pool,
        storeType: 'pool',
        tableName: 'rate_budget',
        tableCreated: true, // created by a migration, never at run time
        keyPrefix,
        points,
        duration: WINDOW_SECONDS,
      });
    this.principals = store('principal', config.budget.pointsPerMinute);
    this.anonymous = store('address', config.budget.anonymousPointsPerMinute);
    this.authFailures = store('authfail', config.budget.authFailuresPerMinute);
  }

  /** Spends `cost` points of the caller's budget; RATE_LIMITED (429, Retry-After) when it is spent. */
  async spend(subject: string | null, address: string, cost: number): Promise<BudgetState> {
    const limiter = subject ? this.principals : this.anonymous;
    const key = subject ?? address;
    const points = Math.max(1, Math.ceil(cost));
    try {
      const res = await limiter.consume(key, points);
      return { spent: points, limit: limiter.points, remaining: res.remainingPoints, resetAt: Date.now() + res.msBeforeNext };
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw this.limited(`This operation costs ${points} points and ${Math.max(0, limiter.points - (error.consumedPoints - points))} of ${limiter.points} are left this minute`, error, limiter.points);
    }
  }

  /** What the caller has left, without spending. */
  async state(subject: string | null, address: string): Promise<BudgetState> {
    const limiter = subject ? this.principals : this.anonymous;
    const res = await limiter.get(subject ?? address);
    const used = res?.consumedPoints ?? 0;
    return {
      spent: 0,
      limit: limiter.points,
      remaining: Math.max(0, limiter.points - used),
      resetAt: Date.now() + (res?.msBeforeNext ?? WINDOW_SECONDS * 1000),
    };
  }

  /** Refuses an address that failed to authenticate too often this minute, before verifying again. */
  async checkAuthFailures(address: string): Promise<void> {
    const res = await this.authFailures.get(address);
    if (res && res.consumedPoints >= this.authFailures.points) {
      throw this.limited('Too many failed authentications from this address; wait before trying again', res, this.authFailures.points);
    }
  }

  /** Counts one failed authentication of an address. */
  async recordAuthFailure(address: string): Promise<void> {
    await this.authFailures.penalty(address, 1);
  }

  private limited(message: string, res: RateLimiterRes, limit: number) {
    const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return refusal('RATE_LIMITED', message, 429, { retryAfter, limit }, { 'retry-after': String(retryAfter) });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
