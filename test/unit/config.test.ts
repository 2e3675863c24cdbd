import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const dataDir = mkdtempSync(join(tmpdir(), 'gateway-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const secrets = { JWT_SECRET: 'a-secret-of-at-least-thirty-two-bytes!!', CA_KEY_SECRET: 'another-secret-0123456789' };

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ DATA_DIR: dataDir });
    expect(c).toMatchObject({ port: 4000, embeddedPgPort: 54329, databaseUrl: null, invitationTtlDays: 14, invitationSweepSeconds: 60 });
    expect(c.limits).toEqual({
      maxDepth: 10,
      maxCost: 50_000,
      maxPageSize: 100,
      maxAliases: 30,
      maxBatch: 10,
      maxBodyBytes: 2 * 1024 * 1024,
      maxDocumentBytes: 64 * 1024,
      maxTokens: 5_000,
      maxVariables: 50,
      maxConnectionParamsBytes: 8 * 1024,
      maxSubscriptionsPerSocket: 100,
      maxSocketsPerUser: 20,
    });
    expect(c.budget).toEqual({ pointsPerMinute: 1_000_000, anonymousPointsPerMinute: 200_000, authFailuresPerMinute: 300 });
    expect(c).toMatchObject({ retryAfterSeconds: 5, drainTimeoutMs: 25_000 });
  });

  it('keeps generated development secrets in the data folder, the same on every load', () => {
    const a = loadConfig({ DATA_DIR: dataDir });
    const b = loadConfig({ DATA_DIR: dataDir });
    expect(a.jwt.secret).toBe(b.jwt.secret);
    expect(JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8')).jwtSecret).toBe(a.jwt.secret);
  });

  it('names the variable of an invalid value', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATA_DIR: dataDir, INVITATION_SWEEP_SECONDS: '0' })).toThrow(/INVITATION_SWEEP_SECONDS/);
    expect(() => loadConfig({ DATA_DIR: dataDir, MAX_PAGE_SIZE: '1.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/);
  });

  it('requires real secrets in production and never generates them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, CA_KEY_SECRET: secrets.CA_KEY_SECRET })).toThrow(/JWT_SECRET or JWKS_URL/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, JWT_SECRET: secrets.JWT_SECRET })).toThrow(/CA_KEY_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, ...secrets }).production).toBe(true);
  });

  it('executes compiled operations unless GRAPHQL_JIT says otherwise, and refuses a value that is not yes or no', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).compiledExecution).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir, GRAPHQL_JIT: 'false' }).compiledExecution).toBe(false);
    expect(loadConfig({ DATA_DIR: dataDir, GRAPHQL_JIT: '0' }).compiledExecution).toBe(false);
    expect(loadConfig({ DATA_DIR: dataDir, GRAPHQL_JIT: 'yes' }).compiledExecution).toBe(true);
    expect(() => loadConfig({ DATA_DIR: dataDir, GRAPHQL_JIT: 'sometimes' })).toThrow(/GRAPHQL_JIT/);
  });

  it('has no switch that turns authorization off (the benchmark builds its permit-all twin itself)', () => {
    const config = loadConfig({ DATA_DIR: dataDir, BENCH_DISABLE_AUTHZ: '1' }) as unknown as Record<string, unknown>;
    expect(Object.keys(config).filter((key) => /authz|authori[sz]ation/i.test(key))).toEqual([]);
  });
});
