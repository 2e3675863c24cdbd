import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RIGHTS_WHEN_NEEDED, type Authz, type RightsSource } from '../auth/authz';
import { LRUCache } from 'lru-cache';
import { bearerToken, type Identity } from '../auth/jwt';
import { loadPrincipal, serviceAccountRefusal, type Principal } from '../auth/principal';
import type { User } from '../modules/user/user.entity';
import { Organization } from '../modules/organization/organization.entity';
import { AppError } from '../errors';
import type { BudgetState, Budgets } from './budgets';
import type { AppServices, GatewayContext } from './context';
import { cleanFormattedError } from './error-hygiene';
import { formatError, isDatabaseUnavailable, toGraphQLError, UNAVAILABLE_MESSAGE } from './errors';
import { costEstimator, queryLimitRules, QueryLimitError } from './limits';
import { Grants } from './grant';
import { Loaders } from './loaders';
import { refusal } from './refusal';
import { isRecord, isUuid } from '../validation';
import type { Logger } from '../logger';

/** Distinct valid query texts whose parsed documents the WS path keeps. */
const DOCUMENT_CACHE = 500;

/** Who sends an operation: the verified token (if any) and the client's address. */
export interface Caller {
  identity: Identity | null;
  address: string;
}

/**
 * The one path every operation takes, whatever its transport (HTTP through Apollo, graphql-ws):
 *
 *   bounds of the raw request → parse with a token limit → validation (graphql-js rules, depth,
 *   aliases, variables, no introspection in production) → cost estimate and limit →
 *   authentication and token expiry (failed attempts throttled per address) → the caller's cost
 *   budget → context (principal, loaders) → execution → one error masking.
 *
 * Each step refuses with a coded GraphQLError that carries its HTTP status; over WebSocket the
 * same error is the operation's error, so a client sees the same code on both transports.
 */
export class Pipeline {
  /** Validation rules beyond graphql-js' own; Apollo runs them for HTTP, `validate` for WS. */
  readonly rules: ValidationRule[];
  private readonly costOf: ReturnType<typeof costEstimator>;
  /**
   * Valid documents by query text, most recently used last: many sockets that send the same
   * subscription share one parsed document (parsed and validated once) instead of each keeping
   * its own tree for as long as it runs. A document is immutable to graphql-js.
   */
  private readonly documents = new Map<string, DocumentNode>();
  /**
   * Which of the caller's rights an operation asked for the last time it ran, by operation name
   * and query text. Rights come with the principal (one statement):
   * - all of them, as a rule;
   * - none, when that operation decided nothing with them last time (`me`, `permissionGrid`);
   * - those in one consortium, when it asked about that one only and one of its variables named
   *   it (`consortium(id: $id)`, `myPermissions(consortiumId: $id)`): the consortium the variable
   *   names this time, whatever the number of consortia the caller's organization is in.
   * Should a decision need rights that were not read after all, they are read then. Only which
   * statement reads them changes; every decision reads the database's rights.
   */
  private readonly rightsNeeded = new LRUCache<string, RightsNeed>({ max: 1000 });

  constructor(
    readonly app: AppServices,
    readonly schema: GraphQLSchema,
    readonly budgets: Budgets,
  ) {
    const { limits, production } = app.config;
    this.rules = [...queryLimitRules(limits), ...(production ? [NoSchemaIntrospectionCustomRule] : [])];
    this.costOf = costEstimator(limits);
  }

  /** Bounds of what the client sent, checked before anything is parsed. */
  checkRequest(query: unknown, variables: unknown): void {
    const { limits } = this.app.config;
    if (typeof query !== 'string') throw refusal('BAD_REQUEST', 'The request must contain a query string', 400);
    const bytes = Buffer.byteLength(query);
    if (bytes > limits.maxDocumentBytes) {
      throw refusal('QUERY_TOO_COMPLEX', `The document of ${bytes} bytes exceeds the maximum of ${limits.maxDocumentBytes}`, 413, { maxDocumentBytes: limits.maxDocumentBytes });
    }
    if (variables !== undefined && variables !== null) {
      if (!isRecord(variables)) throw refusal('BAD_REQUEST', 'Variables must be an object', 400);
      const count = Object.keys(variables).length;
      if (count > limits.maxVariables) {
        throw refusal('QUERY_TOO_COMPLEX', `${count} variables exceed the maximum of ${limits.maxVariables}`, 400, { maxVariables: limits.maxVariables });
      }
    }
  }

  /** graphql-js' parser, stopped after the token limit. */
  parseOptions() {
    return { maxTokens: this.app.config.limits.maxTokens };
  }

  /** Parses a document within the token limit (the WS path; Apollo parses HTTP with `parseOptions`). */
  parse(query: string): DocumentNode {
    try {
      return parse(query, this.parseOptions());
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      if (/more tha[nt] \d+ tokens/.test(error.message)) {
        throw refusal('QUERY_TOO_COMPLEX', error.message.replace(/^Syntax Error: /, ''), 400, { maxTokens: this.app.config.limits.maxTokens });
      }
      throw refusal('GRAPHQL_PARSE_FAILED', error.message, 400);
    }
  }

  /** graphql-js' rules and ours; the first error's code is the refusal's (as Apollo reports it). */
  validate(document: DocumentNode): GraphQLError[] {
    const errors = validate(this.schema, document, [...specifiedRules, ...this.rules], { maxErrors: 20 });
    return errors.map((error) =>
      error.originalError instanceof QueryLimitError || error instanceof QueryLimitError
        ? error
        : new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } }),
    );
  }

  /**
   * The WS path's parse and validation of a query text, remembered for valid documents (at most
   * DOCUMENT_CACHE of them): a refused document is parsed and validated again on every attempt.
   */
  prepare(query: string): { document: DocumentNode; errors: GraphQLError[] } {
    const known = this.documents.get(query);
    if (known) {
      this.documents.delete(query);
      this.documents.set(query, known);
      return { document: known, errors: [] };
    }
    const document = this.parse(query);
    const errors = this.validate(document);
    if (errors.length === 0) {
      if (this.documents.size >= DOCUMENT_CACHE) this.documents.delete(this.documents.keys().next().value!);
      this.documents.set(query, document);
    }
    return { document, errors };
  }

  /** The operation's estimated cost; QUERY_TOO_COMPLEX (400) beyond the limit. */
  cost(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined): number {
    return this.costOf(this.schema, document, operationName, variables ?? {});
  }

  /**
   * The identity behind an Authorization value (null without one). A refused token is
   * UNAUTHENTICATED (401) and counts against the address; past its budget of failures the
   * address gets RATE_LIMITED (429) instead.
   */
  async authenticate(authorization: unknown, address: string): Promise<Identity | null> {
    try {
      const token = bearerToken(authorization);
      return token ? await this.app.verifier.verify(token) : null;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await this.unavailableOnOutage(() => this.budgets.recordAuthFailure(address));
      await this.unavailableOnOutage(() => this.budgets.checkAuthFailures(address));
      throw refusal(error.code, error.message, 401);
    }
  }

  /**
   * Refuses, when a WebSocket connects, a machine credential the gateway does not accept at all
   * (an unregistered subject without `email`, a suspended service account): the socket closes
   * with 4403 and a partner program stops instead of retrying for ever. A token with an email
   * (a person's, as a rule) costs no statement here: every operation on the socket loads its
   * principal, which refuses a suspended service account anyway.
   */
  async admit(identity: Identity): Promise<void> {
    if (identity.email !== null) return;
    const reason = await this.unavailableOnOutage(() => serviceAccountRefusal(this.app.reader, identity));
    if (reason) throw refusal('UNAUTHENTICATED', reason, 401);
  }

  /** Refuses a token that has expired since the socket was opened (every WS operation). */
  checkExpiry(identity: Identity | null): void {
    if (identity?.expiresAt != null && identity.expiresAt <= Date.now()) {
      throw refusal('UNAUTHENTICATED', 'The token has expired', 401);
    }
  }

  /** Spends the operation's cost from the caller's budget. */
  spend(caller: Caller, cost: number): Promise<BudgetState> {
    return this.unavailableOnOutage(() => this.budgets.spend(caller.identity?.subject ?? null, caller.address, cost));
  }

  /** The caller's budget, without spending. */
  budgetOf(caller: Caller): Promise<BudgetState> {
    return this.unavailableOnOutage(() => this.budgets.state(caller.identity?.subject ?? null, caller.address));
  }

  /**
   * The context of one HTTP request or one WS operation; SERVICE_UNAVAILABLE during an outage.
   * `operation` (its query text and name, when the client sent one) lets the rights be left out
   * of the principal statement for an operation that did not ask for them last time.
   */
  async context(caller: Caller, requestId: string, operation?: OperationText): Promise<GatewayContext> {
    const key = operation && typeof operation.query === 'string' ? `${operation.operationName ?? ''}\n${operation.query}` : undefined;
    const variables = isRecord(operation?.variables) ? operation.variables : undefined;
    const rights = this.rightsFor(key === undefined ? undefined : this.rightsNeeded.get(key), variables);
    try {
      const context = await this.unavailableOnOutage(() => buildContext(this.app, caller, requestId, rights));
      context.rightsKey = key;
      context.rightsVariables = variables;
      return context;
    } catch (error) {
      // A refused principal (unusable or unverified claims) is the client's: its code, a 4xx.
      if (error instanceof AppError) throw toGraphQLError(error, { httpStatus: error.code === 'UNAUTHENTICATED' ? 401 : 400 });
      throw error;
    }
  }

  /** How the principal reads the rights for an operation that needed `need` last time. */
  private rightsFor(need: RightsNeed | undefined, variables: Record<string, unknown> | undefined): RightsChoice {
    if (need === 'none') return { source: RIGHTS_WHEN_NEEDED };
    const one = this.app.rights.inOneConsortium;
    if (need !== undefined && need !== 'all' && one) {
      const id = variables?.[need.variable];
      if (isUuid(id)) return { source: one, consortiumId: id };
    }
    return { source: this.app.rights };
  }

  /** Records, once a query or mutation has run, which of the caller's rights it asked for. */
  learnRights(context: GatewayContext | undefined): void {
    if (context?.rightsKey === undefined || !context.authz) return;
    this.rightsNeeded.set(context.rightsKey, rightsNeed(context.authz, context.rightsVariables));
  }

  /** The one error masking of both transports (the HTTP status is not part of the answer). */
  format(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const { production } = this.app.config;
    // Suggestions dropped and echoed input capped in production, on both transports.
    const masked = cleanFormattedError(formatError(formatted, error, production), production);
    if (!masked.extensions || !('http' in masked.extensions)) return masked;
    const { http: _status, ...extensions } = masked.extensions;
    return { ...masked, extensions };
  }

  /** SERVICE_UNAVAILABLE (503, Retry-After) while the database cannot be reached. */
  unavailable(): GraphQLError {
    const retryAfter = this.app.config.retryAfterSeconds;
    return refusal('SERVICE_UNAVAILABLE', UNAVAILABLE_MESSAGE, 503, { retryAfter }, { 'retry-after': String(retryAfter) });
  }

  /** SERVICE_UNAVAILABLE for operations arriving while the gateway shuts down. */
  shuttingDown(): GraphQLError {
    const retryAfter = this.app.config.retryAfterSeconds;
    return refusal('SERVICE_UNAVAILABLE', 'The gateway is shutting down; retry on another instance', 503, { retryAfter }, { 'retry-after': String(retryAfter), connection: 'close' });
  }

  /** Runs a step that reads the database; an unreachable database becomes SERVICE_UNAVAILABLE. */
  async unavailableOnOutage<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        this.app.log.warn({ err: error }, 'database unreachable');
        throw this.unavailable();
      }
      throw error;
    }
  }
}

/** Which rights an operation asked for: none, all, or those in the consortium one of its variables named. */
type RightsNeed = 'none' | 'all' | { variable: string };

/** Where the principal statement reads the rights from, and the consortium when it reads one only. */
interface RightsChoice {
  source: RightsSource;
  consortiumId?: string;
}

function rightsNeed(authz: Authz, variables: Record<string, unknown> | undefined): RightsNeed {
  if (!authz.rightsAsked) return 'none';
  if (authz.allRightsAsked || authz.consortiaAsked.size !== 1 || !variables) return 'all';
  const [consortiumId] = authz.consortiaAsked;
  const variable = Object.keys(variables).find((name) => variables[name] === consortiumId);
  return variable === undefined ? 'all' : { variable };
}

/** Builds the context of one operation: identity, principal, em fork, loaders. */
export async function buildContext(app: AppServices, caller: Caller, requestId: string, rights: RightsChoice = { source: app.rights }): Promise<GatewayContext> {
  const context = new OperationContext(app, caller, requestId);
  const principal = caller.identity
    ? await loadPrincipal(context, app.orm.getMetadata(), app.reader, caller.identity, rights.source, rights.consortiumId)
    : null;
  context.principal = principal;
  context.authz = new app.authz(app.reader, principal?.user ?? null, principal?.rights, app.policy);
  return context;
}

/**
 * The context of one operation. What an operation may never use is made on first use: the em
 * fork (a unit of work, an identity map, its loaders), the batch loaders, the grants and the
 * child logger. A subscription lives as long as its socket, and one that only streams events
 * never needs most of them; keeping each for every subscriber cost kilobytes apiece.
 */
class OperationContext implements GatewayContext {
  authz!: Authz;
  budget?: BudgetState;
  rightsKey?: string;
  rightsVariables?: Record<string, unknown>;
  principal: Principal | null = null;
  private callerOf?: User;
  readonly tokenExpiresAt: number | null;
  private emFork?: EntityManager;
  private loadersOf?: Loaders;
  private grantsOf?: Grants;
  private logOf?: Logger;

  constructor(
    readonly app: AppServices,
    readonly caller: Caller,
    readonly requestId: string,
  ) {
    this.tokenExpiresAt = caller.identity?.expiresAt ?? null;
  }

  get em(): EntityManager {
    return (this.emFork ??= this.app.orm.em.fork());
  }

  callerEntity(): User | null {
    if (!this.principal) return null;
    return (this.callerOf ??= this.principal.entity(this.em));
  }

  callerSnapshot(): User | null {
    const snapshot = this.principal?.snapshot();
    if (!snapshot) return null;
    if (snapshot.organization) this.loaders.primeById(Organization, [snapshot.organization]);
    return snapshot.user;
  }

  settle(): void {
    this.emFork = undefined;
    this.callerOf = undefined;
    this.loadersOf = undefined;
    this.grantsOf = undefined;
  }

  set em(em: EntityManager) {
    this.emFork = em;
    this.callerOf = undefined;
  }

  get loaders(): Loaders {
    return (this.loadersOf ??= new Loaders(this.app.orm.getMetadata(), this.app.reader, () => this.em));
  }

  set loaders(loaders: Loaders) {
    this.loadersOf = loaders;
  }

  get grants(): Grants {
    return (this.grantsOf ??= new Grants());
  }

  set grants(grants: Grants) {
    this.grantsOf = grants;
  }

  get log(): Logger {
    return (this.logOf ??= this.app.log.child({ requestId: this.requestId }));
  }

  set log(log: Logger) {
    this.logOf = log;
  }
}

/** What a client sent to name its operation (absent for a persisted query sent by hash). */
export interface OperationText {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

/** The HTTP status of an answer whose errors carry these codes (the most telling one wins). */
export function statusOfCodes(codes: readonly unknown[], hasData: boolean): number | null {
  if (codes.includes('SERVICE_UNAVAILABLE')) return 503;
  if (codes.includes('RATE_LIMITED')) return 429;
  if (hasData) return null;
  if (codes.includes('QUERY_TOO_COMPLEX')) return 400;
  return null;
}
