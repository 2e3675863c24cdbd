import 'reflect-metadata';
import { inject } from 'vitest';
import { startApp, type RunningApp } from '../../src/app';
import type { AuthzClass, PolicyCore, RightsSource } from '../../src/auth/authz';
import { signToken } from '../../src/auth/jwt';
import { loadConfig, type Config } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { GraphQLClient } from './client';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256!';

export interface TestGateway {
  app: RunningApp;
  url: string;
  wsUrl: string;
  config: Config;
  /** A client whose requests carry a token for this email (a user is provisioned on first use). */
  as(email: string): GraphQLClient;
  anonymous(): GraphQLClient;
  tokenFor(email: string, opts?: { expiresIn?: string | number }): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a gateway on a free port against the run's test database; `opts.log` replaces its logger. */
export async function startTestGateway(
  env: Record<string, string> = {},
  opts: { log?: Logger; rights?: RightsSource; policy?: PolicyCore; authz?: AuthzClass } = {},
): Promise<TestGateway> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    JWT_SECRET: TEST_JWT_SECRET,
    CA_KEY_SECRET: 'test-ca-key-secret-0123456789abcdef',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_POOL_MAX: '5',
    ...env,
  });
  const app = await startApp(config, opts.log ?? createLogger(config.logLevel), { port: 0, host: '127.0.0.1', rights: opts.rights, policy: opts.policy, authz: opts.authz });
  const url = `http://127.0.0.1:${app.gateway.port}/graphql`;
  const tokenFor = (email: string, opts: { expiresIn?: string | number } = {}) =>
    signToken(TEST_JWT_SECRET, { sub: `test|${email}`, email }, { ...opts, issuer: config.jwt.issuer, audience: config.jwt.audience });
  return {
    app,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    config,
    as: (email) => new GraphQLClient(url, () => tokenFor(email)),
    anonymous: () => new GraphQLClient(url, async () => null),
    tokenFor,
    stop: () => app.stop(),
  };
}

let counter = 0;
/** A unique email per call, so test files running side by side never share users. */
export function uniqueEmail(label = 'user'): string {
  counter++;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}@example.test`;
}
