import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/** Every environment variable the gateway reads, parsed and validated once. */
export interface Config {
  nodeEnv: string;
  production: boolean;
  port: number;
  host: string;
  logLevel: string;
  /** Where the embedded database and the development secrets live. */
  dataDir: string;
  databaseUrl: string | null;
  /** Gateway processes sharing the port (node:cluster); 1 runs the gateway in this process. */
  workers: number;
  embeddedPgPort: number;
  dbPoolMax: number;
  jwt: {
    secret: string | null;
    jwksUrl: string | null;
    issuer: string | null;
    audience: string | null;
    /** Longest lifetime of a token accepted, in seconds (exp − iat, or exp − now without iat). */
    maxTtlSeconds: number;
  };
  /** Secret from which the key that encrypts every environment CA's private key is derived. */
  caKeySecret: string;
  invitationTtlDays: number;
  /** How often overdue invitations are marked EXPIRED (they are also expired when touched). */
  invitationSweepSeconds: number;
  compiler: {
    workers: number | null;
    timeoutMs: number;
    maxSourceBytes: number;
    /** Compilations of one organization compiling at once; the rest wait in its queue. */
    maxPerOrganization: number;
  };
  limits: {
    maxDepth: number;
    maxCost: number;
    maxPageSize: number;
    maxAliases: number;
    maxBatch: number;
    /** Largest HTTP body and WebSocket message, in bytes. */
    maxBodyBytes: number;
    /** Largest query document, in bytes and in lexical tokens. */
    maxDocumentBytes: number;
    maxTokens: number;
    /** Most variables an operation may define or send. */
    maxVariables: number;
    /** Largest `connection_init` payload, in bytes, checked before the token is verified. */
    maxConnectionParamsBytes: number;
    /** Operations in flight (subscriptions included) on one socket. */
    maxSubscriptionsPerSocket: number;
    /** Open sockets of one user on one host: counted across its WORKERS gateway processes. */
    maxSocketsPerUser: number;
  };
  /** Cost points per minute, per principal (or client address when anonymous), kept in PostgreSQL. */
  budget: {
    pointsPerMinute: number;
    anonymousPointsPerMinute: number;
    /** Failed authentications per client address and minute before further attempts are refused. */
    authFailuresPerMinute: number;
  };
  /** How long a client that met an outage or a draining gateway is told to wait, in seconds. */
  retryAfterSeconds: number;
  /** How long a shutdown waits for operations in flight before closing anyway, in ms. */
  drainTimeoutMs: number;
  /** Execute operations compiled by graphql-jit (default) rather than interpreted by graphql-js. */
  compiledExecution: boolean;
  /** Queries whose whole selection is declared readable are answered by one planned statement (graphql/read-plan.ts). */
  plannedReads: boolean;
  /** /metrics on the main port unless `metricsPort` is set; traces exported only with an OTLP endpoint. */
  observability: { metricsPort: number | null; otlpEndpoint: string | null; serviceName: string };
  /** Browser origins allowed to call the API (CORS); the gateway's own pages need none. */
  corsOrigins: string[];
  /** Serve the offline GraphiQL explorer at /explorer (default: on except in production). */
  explorer: boolean;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

function str(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function url(env: Env, name: string): string | null {
  const raw = str(env, name);
  if (raw === null) return null;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return raw;
  } catch {
    // refused below
  }
  throw new ConfigError(`${name} must be an http(s) URL (got "${raw}")`);
}

function bool(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  return raw === '1' || raw === 'true' || raw === 'yes';
}

/** A yes/no setting with a default; anything but 1/0, true/false, yes/no is refused. */
function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got '${env[name]}'`);
}

/** A comma-separated list of origins (scheme://host[:port]); anything else is refused. */
function origins(env: Env, name: string): string[] {
  const raw = str(env, name);
  if (!raw) return [];
  return raw.split(',').map((item) => {
    const value = item.trim();
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`${name} must list origins like https://app.example.com, got '${value}'`);
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.origin !== value.replace(/\/$/, '')) {
      throw new ConfigError(`${name} must list origins like https://app.example.com (no path), got '${value}'`);
    }
    return url.origin;
  });
}

interface DevSecrets {
  jwtSecret: string;
  caKeySecret: string;
}

/** Development secrets kept in the data folder so that `npm start` and `npm run token` agree. */
export function devSecrets(dataDir: string): DevSecrets {
  const file = resolve(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets: DevSecrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    caKeySecret: randomBytes(32).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Reads and validates the configuration; throws ConfigError with the variable's name. */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const dataDir = resolve(env.DATA_DIR ?? '.data');
  const jwks = str(env, 'JWKS_URL');
  let jwtSecret = str(env, 'JWT_SECRET');
  let caKeySecret = str(env, 'CA_KEY_SECRET');
  if (production) {
    if (!jwtSecret && !jwks) throw new ConfigError('JWT_SECRET or JWKS_URL must be set when NODE_ENV=production');
    if (!caKeySecret) throw new ConfigError('CA_KEY_SECRET must be set when NODE_ENV=production');
  } else if (!caKeySecret || (!jwtSecret && !jwks)) {
    const dev = devSecrets(dataDir);
    if (!jwtSecret && !jwks) jwtSecret = dev.jwtSecret;
    caKeySecret ??= dev.caKeySecret;
  }
  if (jwtSecret && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 bytes long');
  }
  const compilerWorkers = env.COMPILER_WORKERS ? int(env, 'COMPILER_WORKERS', 1, 1, 64) : null;
  return {
    nodeEnv,
    production,
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST ?? '0.0.0.0',
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    dataDir,
    databaseUrl: str(env, 'DATABASE_URL'),
    workers: int(env, 'WORKERS', availableParallelism(), 1, 64),
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 200),
    compiledExecution: flag(env, 'GRAPHQL_JIT', true),
    plannedReads: flag(env, 'PLANNED_READS', true),
    jwt: {
      secret: jwtSecret,
      jwksUrl: jwks,
      issuer: str(env, 'JWT_ISSUER'),
      audience: str(env, 'JWT_AUDIENCE'),
      maxTtlSeconds: int(env, 'JWT_MAX_TTL', 24 * 3600, 60, 366 * 24 * 3600),
    },
    caKeySecret: caKeySecret!,
    invitationTtlDays: int(env, 'INVITATION_TTL_DAYS', 14, 1, 365),
    invitationSweepSeconds: int(env, 'INVITATION_SWEEP_SECONDS', 60, 1, 86_400),
    compiler: {
      workers: compilerWorkers,
      timeoutMs: int(env, 'COMPILE_TIMEOUT_MS', 20_000, 100, 600_000),
      maxSourceBytes: int(env, 'MAX_SOURCE_BYTES', 256 * 1024, 1, 16 * 1024 * 1024),
      maxPerOrganization: int(env, 'COMPILE_MAX_PER_ORG', 1, 1, 64),
    },
    limits: {
      maxDepth: int(env, 'MAX_QUERY_DEPTH', 10, 2, 100),
      maxCost: int(env, 'MAX_QUERY_COST', 50_000, 10, 10_000_000),
      maxPageSize: int(env, 'MAX_PAGE_SIZE', 100, 1, 1000),
      maxAliases: int(env, 'MAX_ALIASES', 30, 1, 1000),
      maxBatch: int(env, 'MAX_BATCH_OPERATIONS', 10, 1, 100),
      maxBodyBytes: int(env, 'MAX_BODY_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
      maxDocumentBytes: int(env, 'MAX_DOCUMENT_BYTES', 64 * 1024, 256, 16 * 1024 * 1024),
      maxTokens: int(env, 'MAX_QUERY_TOKENS', 5_000, 100, 1_000_000),
      maxVariables: int(env, 'MAX_VARIABLES', 50, 1, 10_000),
      maxConnectionParamsBytes: int(env, 'MAX_CONNECTION_PARAMS_BYTES', 8 * 1024, 256, 1024 * 1024),
      maxSubscriptionsPerSocket: int(env, 'MAX_SUBSCRIPTIONS_PER_SOCKET', 100, 1, 100_000),
      maxSocketsPerUser: int(env, 'MAX_SOCKETS_PER_USER', 20, 1, 100_000),
    },
    observability: {
      metricsPort: str(env, 'METRICS_PORT') === null ? null : int(env, 'METRICS_PORT', 0, 1, 65535),
      otlpEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
      serviceName: str(env, 'OTEL_SERVICE_NAME') ?? 'governance-gateway',
    },
    budget: {
      pointsPerMinute: int(env, 'RATE_BUDGET_PER_MINUTE', 1_000_000, 1, 1_000_000_000),
      anonymousPointsPerMinute: int(env, 'RATE_BUDGET_ANONYMOUS_PER_MINUTE', 200_000, 1, 1_000_000_000),
      authFailuresPerMinute: int(env, 'AUTH_FAILURES_PER_MINUTE', 300, 1, 1_000_000),
    },
    retryAfterSeconds: int(env, 'RETRY_AFTER_SECONDS', 5, 1, 3600),
    drainTimeoutMs: int(env, 'DRAIN_TIMEOUT_MS', 25_000, 0, 600_000),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    explorer: flag(env, 'EXPLORER', !production),
  };
}
