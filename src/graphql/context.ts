import type { EntityManager } from '@mikro-orm/postgresql';
import type { Authz, AuthzClass, PolicyCore, RightsSource } from '../auth/authz';
import type { Identity, TokenVerifier } from '../auth/jwt';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import type { SqlReader } from '../db/reader';
import type { Logger } from '../logger';
import type { User } from '../modules/user/user.entity';
import type { ServiceRegistry } from '../registry';
import type { Grants } from './grant';
import type { BudgetState, Budgets } from './budgets';
import type { Loaders } from './loaders';

/**
 * Process-wide services, created once by the composition root. Feature modules that need a
 * long-lived helper (the compiler pool, the event feed) register it here.
 */
export interface AppServices {
  config: Config;
  orm: Orm;
  /** The read path of queries: its own pool, plain prepared statements (see SqlReader). */
  reader: SqlReader;
  log: Logger;
  verifier: TokenVerifier;
  /** Cost budgets per caller, kept in PostgreSQL. */
  budgets: Budgets;
  /** Long-lived helpers of feature modules (the compiler pool, the event feed), under typed keys. */
  registry: ServiceRegistry;
  /** The decisions of the policy core; the composition root chooses it (a benchmark may permit all). */
  policy: PolicyCore;
  /** When the caller's rights are read; the composition root chooses it (a benchmark twin may defer them). */
  rights: RightsSource;
  /** The Authz of each operation; the composition root chooses it (Authz, or a benchmark twin's). */
  authz: AuthzClass;
}

/** Everything a resolver may use during one request or one subscription operation. */
export interface GatewayContext {
  requestId: string;
  /** A fork of the entity manager for this request only. */
  em: EntityManager;
  authz: Authz;
  /** What the shield rules of this operation decided, for their resolvers (see rules.ts). */
  grants: Grants;
  loaders: Loaders;
  log: Logger;
  app: AppServices;
  /** When the caller's token expires (ms since the epoch), for long-lived subscriptions. */
  tokenExpiresAt: number | null;
  /** Who sent the operation: the verified identity (if any) and the client's address. */
  caller: { identity: Identity | null; address: string };
  /** What the operation spent and what is left of the caller's budget (set once admitted). */
  budget?: BudgetState;
  /** The operation as the pipeline remembers whether it asked for the caller's rights (see Pipeline.context). */
  rightsKey?: string;
  /** The operation's variables, for which consortium's rights it asked for (see Pipeline.learnRights). */
  rightsVariables?: Record<string, unknown>;
  /**
   * The signed-in user as an entity of this operation's em, with its organization (null when
   * anonymous): made from the row the principal statement read, on first call, without a statement.
   * Authorization needs none of it (`authz.user` is plain data); a resolver answering with the
   * user, or a change to its row, asks for it.
   */
  callerEntity(): User | null;
  /**
   * The signed-in user as a read-only snapshot (as loaders return rows), for a query answering
   * with it: made from the principal statement's row, its organization put into
   * `loaders.byId(Organization)`; no entity is merged and no statement sent. Null when anonymous
   * or when the principal was provisioned by this request (then use `callerEntity`).
   */
  callerSnapshot(): User | null;
  /**
   * Called once a subscription's stream is open: drops the entity manager fork, loaders and
   * grants its subscribe step used (each is made again on first use), so that a subscription
   * does not keep a unit of work alive for as long as its socket.
   */
  settle?(): void;
}
