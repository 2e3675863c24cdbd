import 'reflect-metadata';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { startApp } from '../src/app';
import { signToken } from '../src/auth/jwt';
import { loadConfig } from '../src/config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded';
import { openDatabase } from '../src/db/orm';
import { watchStatements } from '../src/db/reader';
import { createLogger } from '../src/logger';
import { SCENARIOS, type Scenario } from './scenarios';
import { startOptions } from './start-options';
import { LARGE, SMALL, seedDataset, type Dataset } from './seed';

/**
 * `npm run bench`: a fresh database with a realistic data set, the gateway started as a user
 * starts it (its own process), the same gateway with authorization switched off, and a bare
 * node:http + pg baseline, all driven over HTTP at a fixed concurrency in one run.
 */
const root = resolve(__dirname, '../..');
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn');
const children: ChildProcess[] = [];

/**
 * gateway: as deployed (NODE_ENV=production). The cost of authorization compares two gateways in
 * development mode (graphql-js adds checks there), like with like: gatewayDevelopment, and
 * gatewayNoAuthz, the twin bench/permit-all.ts builds through the composition root with a
 * policy core that permits every action.
 */
type Target = 'gateway' | 'gatewayDevelopment' | 'gatewayNoAuthz' | 'baseline';
interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const orm = await openDatabase(url.toString());
  await orm.close();
  return url.toString();
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
}

function launch(script: string, args: string[], env: Record<string, string>, nodeOptions: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeOptions, resolve(root, script), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return; // any answer means it is listening
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not start`);
}

async function post(url: string, token: string, s: Scenario, d: Dataset): Promise<{ data?: unknown; errors?: unknown[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: s.query, variables: s.variables(d) }),
  });
  return (await res.json()) as { data?: unknown; errors?: unknown[] };
}

async function load(url: string, token: string, s: Scenario, d: Dataset, duration = DURATION): Promise<Measurement> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: s.query, variables: s.variables(d) }),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

/** SQL statements per request, counted in-process on the ORM's connection and the reader for one request. */
async function sqlPerRequest(dbUrl: string, d: Dataset, jwtSecret: string, caKeySecret: string): Promise<Record<string, number>> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: dbUrl, JWT_SECRET: jwtSecret, CA_KEY_SECRET: caKeySecret, LOG_LEVEL: 'silent' });
  const app = await startApp(config, createLogger('silent'), { port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${app.gateway.port}/graphql`;
  const token = await signToken(jwtSecret, { sub: d.user.subject, email: d.user.email });
  let statements = 0;
  const unwatch = watchStatements(app.services, () => statements++);
  const out: Record<string, number> = {};
  try {
    for (const s of SCENARIOS) {
      await post(url, token, s, d); // warm caches, provisioning
      statements = 0;
      const body = await post(url, token, s, d);
      if (body.errors) throw new Error(`${s.name}: ${JSON.stringify(body.errors)}`);
      out[s.name] = statements;
    }
  } finally {
    unwatch();
    await app.stop();
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const started = Date.now();
  let embedded: EmbeddedDatabase | null = null;
  let serverUrl = process.env.BENCH_DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedDatabase({ dataDir: resolve(root, '.data/bench'), port: Number(process.env.BENCH_PG_PORT ?? 54349), database: 'postgres', log });
    serverUrl = embedded.url;
  }
  const tag = `${Date.now().toString(36)}`;
  const bigName = `bench_${tag}`;
  const smallName = `bench_${tag}_small`;
  const jwtSecret = randomBytes(32).toString('base64url');
  const caKeySecret = randomBytes(32).toString('base64url');
  try {
    console.log(`seeding ${JSON.stringify(LARGE)}`);
    const bigUrl = await createDatabase(serverUrl, bigName);
    const smallUrl = await createDatabase(serverUrl, smallName);
    const big = await seedDataset(bigUrl, LARGE, caKeySecret, tag);
    const small = await seedDataset(smallUrl, SMALL, caKeySecret, `${tag}s`);

    console.log('counting SQL statements per request at two data sizes');
    const sqlLarge = await sqlPerRequest(bigUrl, big, jwtSecret, caKeySecret);
    const sqlSmall = await sqlPerRequest(smallUrl, small, jwtSecret, caKeySecret);

    // The budget check stays on the measured path; the budget itself is larger than any run spends.
    const env = { DATABASE_URL: bigUrl, JWT_SECRET: jwtSecret, CA_KEY_SECRET: caKeySecret, LOG_LEVEL: 'warn', RATE_BUDGET_PER_MINUTE: '1000000000' };
    const ports: Record<Target, number> = { gateway: 4101, gatewayDevelopment: 4102, gatewayNoAuthz: 4103, baseline: 4104 };
    const gatewayOptions = startOptions(root);
    launch('dist/src/main.js', [], { ...env, NODE_ENV: 'production', PORT: String(ports.gateway) }, gatewayOptions);
    launch('dist/src/main.js', [], { ...env, NODE_ENV: 'development', PORT: String(ports.gatewayDevelopment) }, gatewayOptions);
    launch('dist/bench/permit-all.js', [], { ...env, NODE_ENV: 'development', PORT: String(ports.gatewayNoAuthz) }, gatewayOptions);
    launch('dist/bench/baseline.js', [bigUrl, String(ports.baseline)], {});
    const urls = Object.fromEntries(Object.entries(ports).map(([t, port]) => [t, `http://127.0.0.1:${port}/graphql`])) as Record<Target, string>;
    for (const url of Object.values(urls)) await waitFor(url);
    const token = await signToken(jwtSecret, { sub: big.user.subject, email: big.user.email });

    // The three servers must answer alike, or the comparison means nothing.
    for (const s of SCENARIOS) {
      const answers = await Promise.all(Object.values(urls).map((u) => post(u, token, s, big)));
      for (const a of answers) if (a.errors) throw new Error(`${s.name}: ${JSON.stringify(a.errors)}`);
      const sizes = answers.map((a) => JSON.stringify(a.data).length);
      console.log(`${s.name}: response sizes ${sizes.join(' / ')} bytes (${Object.keys(urls).join(' / ')})`);
    }

    // Compiled operations, V8's optimizing compiler and connection pools settle before measuring.
    if (WARMUP > 0) {
      console.log(`warming up (${WARMUP} s per server and request)`);
      for (const s of SCENARIOS) for (const url of Object.values(urls)) await load(url, token, s, big, WARMUP);
    }

    const runs: Record<string, Record<Target, Measurement>>[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const results: Record<string, Record<Target, Measurement>> = {};
      for (const s of SCENARIOS) {
        results[s.name] = {} as Record<Target, Measurement>;
        for (const target of Object.keys(urls) as Target[]) {
          results[s.name][target] = await load(urls[target], token, s, big);
          const m = results[s.name][target];
          console.log(`run ${run} ${s.name.padEnd(14)} ${target.padEnd(15)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  errors ${m.errors}`);
        }
      }
      runs.push(results);
    }

    const summary = SCENARIOS.map((s) => {
      const pick = (t: Target, k: keyof Measurement) => median(runs.map((r) => r[s.name][t][k]));
      const authzCost = median(runs.map((r) => 1 - r[s.name].gatewayDevelopment.rps / r[s.name].gatewayNoAuthz.rps));
      const shareOfBaseline = median(runs.map((r) => r[s.name].gateway.rps / r[s.name].baseline.rps));
      return {
        scenario: s.name,
        description: s.description,
        gateway: { rps: pick('gateway', 'rps'), p50: pick('gateway', 'p50'), p99: pick('gateway', 'p99') },
        gatewayDevelopment: { rps: pick('gatewayDevelopment', 'rps'), p50: pick('gatewayDevelopment', 'p50'), p99: pick('gatewayDevelopment', 'p99') },
        gatewayNoAuthz: { rps: pick('gatewayNoAuthz', 'rps'), p50: pick('gatewayNoAuthz', 'p50'), p99: pick('gatewayNoAuthz', 'p99') },
        baseline: { rps: pick('baseline', 'rps'), p50: pick('baseline', 'p50'), p99: pick('baseline', 'p99') },
        authorizationCost: authzCost,
        shareOfBaseline,
        sqlPerRequest: { large: sqlLarge[s.name], small: sqlSmall[s.name] },
        errors: runs.reduce((n, r) => n + Object.values(r[s.name]).reduce((m, x) => m + x.errors, 0), 0),
      };
    });
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      settings: { durationSeconds: DURATION, runs: RUNS, connections: CONNECTIONS, warmupSeconds: WARMUP, dataset: LARGE },
      summary,
      runs,
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(resolve(root, 'bench/results/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log('\n| scenario | gateway req/s | p50 / p99 ms | development req/s | no-authz req/s | baseline req/s | baseline p50 / p99 ms | authz cost | share of baseline | SQL/request (large / small) |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of summary) {
      console.log(
        `| ${r.scenario} | ${r.gateway.rps.toFixed(0)} | ${r.gateway.p50} / ${r.gateway.p99} | ${r.gatewayDevelopment.rps.toFixed(0)} | ${r.gatewayNoAuthz.rps.toFixed(0)} | ${r.baseline.rps.toFixed(0)} | ${r.baseline.p50} / ${r.baseline.p99} | ${(r.authorizationCost * 100).toFixed(1)}% | ${(r.shareOfBaseline * 100).toFixed(0)}% | ${r.sqlPerRequest.large} / ${r.sqlPerRequest.small} |`,
      );
    }
    console.log(`\nwritten to bench/results/latest.json in ${report.elapsedSeconds} s`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await dropDatabase(serverUrl, bigName).catch(() => undefined);
    await dropDatabase(serverUrl, smallName).catch(() => undefined);
    await embedded?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
