import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { startApp } from '../src/app';
import { signToken } from '../src/auth/jwt';
import { loadConfig } from '../src/config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded';
import { openDatabase } from '../src/db/orm';
import { watchStatements } from '../src/db/reader';
import { createLogger } from '../src/logger';
import { interval95, load, median, merge, pairOrder, rotate, type Interval, type Measurement } from './measure';
import { preparePeerSchema } from './peer-sql';
import { SCENARIOS as ALL_SCENARIOS, type Scenario } from './scenarios';
import { LARGE, scaled, SMALL, seedDataset, type Dataset } from './seed';
import { startOptions } from './start-options';

/**
 * `npm run bench`: fresh databases with realistic data sets (1×, and 10× and 50× for the large
 * query), and, each in its own process and started the same way (`npm start`'s node options):
 *
 * - gateway: as deployed (NODE_ENV=production);
 * - gatewayDevelopment and gatewayNoAuthz: the cost of authorization compares two gateways in
 *   development mode, like with like; the twin is bench/permit-all.ts, built through the same
 *   composition root with authorization taken out: it neither reads the caller's rights to
 *   decide nor decides;
 * - postgraphile: PostGraphile 5, the peer a user would pick instead (bench/postgraphile.ts);
 * - baseline: bare node:http + pg with named prepared statements (bench/baseline.ts);
 * - workers1, workersN: the production gateway with WORKERS=1 and WORKERS=N (BENCH_WORKERS,
 *   default `1,<cores>`), in a section of their own after the rounds above; the CPU per request
 *   of N workers is the sum over the cluster primary and its worker processes.
 *
 * Every server must give the same answer (byte for byte) before anything is measured. Rounds
 * are interleaved: each round measures every scenario on every server, starting with another
 * server each round, so that a slow minute of a shared machine hurts all of them alike.
 */
const root = resolve(__dirname, '../..');
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const SCALES = (process.env.BENCH_SCALES ?? '1,10,50').split(',').map(Number).filter((k) => k > 0);
const SCALE_RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 3);
const SCALE_CONNECTIONS = Number(process.env.BENCH_SCALE_CONNECTIONS ?? 10);
const SCALE_DURATION = Number(process.env.BENCH_SCALE_DURATION ?? 10);
/**
 * The cost of authorization is measured in rounds of its own, the two development twins alone
 * (A B B A, see pairedRound): at least this many…
 */
const AUTHZ_MIN_RUNS = Number(process.env.BENCH_AUTHZ_MIN_RUNS ?? 8);
/** …then more until every interval is narrower than this (± fraction)… */
const AUTHZ_TARGET = Number(process.env.BENCH_AUTHZ_TARGET ?? 0.05);
/** …or until there are this many (0: none; the cost then comes from the main rounds). */
const AUTHZ_MAX_RUNS = Number(process.env.BENCH_AUTHZ_MAX_RUNS ?? 40);
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn');
/** Gateway processes (WORKERS) compared in the workers section: 1 and the number of cores by default. */
const WORKER_COUNTS = [...new Set((process.env.BENCH_WORKERS ?? `1,${availableParallelism()}`).split(',').map(Number))].filter(
  (k) => Number.isInteger(k) && k > 0,
);

/**
 * BENCH_BEFORE_ROOT: another checkout of the gateway, built (`npm ci && npm run build`), measured
 * as `gatewayBefore` in the same interleaved rounds as the gateway (production mode, the same
 * database): the before and after of a change, side by side, at 1× and in the 10× and 50× rounds
 * of the large query.
 */
/** BENCH_SCENARIOS: the requests to measure (names, comma-separated), e.g. when comparing checkouts that do not all answer the others. */
const SCENARIOS = process.env.BENCH_SCENARIOS ? ALL_SCENARIOS.filter((s) => process.env.BENCH_SCENARIOS!.split(',').includes(s.name)) : ALL_SCENARIOS;
/** BENCH_GATEWAY_ROOT: the checkout whose gateway is measured as `gateway` (default: this one). */
const GATEWAY_ROOT = process.env.BENCH_GATEWAY_ROOT ? resolve(process.env.BENCH_GATEWAY_ROOT) : null;
const BEFORE_ROOT = process.env.BENCH_BEFORE_ROOT ? resolve(process.env.BENCH_BEFORE_ROOT) : null;
const BASE_TARGETS = ['gateway', 'gatewayDevelopment', 'gatewayNoAuthz', 'postgraphile', 'baseline'] as const;
/** The production gateway with WORKERS=k (the workers section). */
type WorkersTarget = `workers${number}`;
type Target = (typeof BASE_TARGETS)[number] | 'gatewayBefore' | WorkersTarget;
const TARGETS: Target[] = [...BASE_TARGETS, ...(BEFORE_ROOT ? (['gatewayBefore'] as const) : [])];
const workersTarget = (k: number): WorkersTarget => `workers${k}`;
const WORKER_TARGETS = WORKER_COUNTS.map(workersTarget);
const SCALE_TARGETS: Target[] = ['gateway', 'postgraphile', 'baseline', ...(BEFORE_ROOT ? (['gatewayBefore'] as const) : [])];

interface Server {
  target: Target;
  url: string;
  child: ChildProcess;
}

const running: ChildProcess[] = [];

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

function launch(script: string, args: string[], env: Record<string, string>, nodeOptions: string[]): ChildProcess {
  const child = spawn(process.execPath, [...nodeOptions, resolve(root, script), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running.push(child);
  return child;
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`${url}: the server exited (${child.exitCode ?? child.signalCode})`);
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

interface Secrets {
  jwt: string;
  caKey: string;
}

/** Starts the given servers on one database, each in its own process. */
async function startServers(targets: readonly Target[], dbUrl: string, secrets: Secrets, basePort: number): Promise<Server[]> {
  // The budget check stays on the measured path; the budget itself is larger than any run spends.
  // One gateway process each (WORKERS=1) unless the target says otherwise (workersN): the CPU per
  // request is read from the process's /proc stat and its children's (a cluster's workers).
  const env = { WORKERS: '1', DATABASE_URL: dbUrl, JWT_SECRET: secrets.jwt, CA_KEY_SECRET: secrets.caKey, LOG_LEVEL: 'warn', RATE_BUDGET_PER_MINUTE: '1000000000' };
  const options = startOptions(root);
  const servers = targets.map((target, i): Server => {
    const port = basePort + i;
    const url = `http://127.0.0.1:${port}/graphql`;
    const gw = (extra: Record<string, string>, main = 'dist/src/main.js') => launch(main, [], { ...env, PORT: String(port), ...extra }, options);
    switch (target) {
      case 'gateway':
        return { target, url, child: gw({ NODE_ENV: 'production' }, GATEWAY_ROOT ? resolve(GATEWAY_ROOT, 'dist/src/main.js') : undefined) };
      case 'gatewayDevelopment':
        return { target, url, child: gw({ NODE_ENV: 'development' }) };
      case 'gatewayNoAuthz':
        return { target, url, child: gw({ NODE_ENV: 'development' }, 'dist/bench/permit-all.js') };
      case 'gatewayBefore':
        return { target, url, child: gw({ NODE_ENV: 'production' }, resolve(BEFORE_ROOT!, 'dist/src/main.js')) };
      case 'postgraphile':
        return {
          target,
          url,
          child: launch('dist/bench/postgraphile.js', [dbUrl, String(port), secrets.jwt], { NODE_ENV: 'production', GRAPHILE_ENV: 'production' }, [
            '--require',
            'core-js/actual/promise/with-resolvers',
            ...options,
          ]),
        };
      case 'baseline':
        return { target, url, child: launch('dist/bench/baseline.js', [dbUrl, String(port)], {}, options) };
      default:
        return { target, url, child: gw({ NODE_ENV: 'production', WORKERS: target.slice('workers'.length) }) };
    }
  });
  for (const s of servers) await waitFor(s.url, s.child);
  return servers;
}

/** A child killed by a signal keeps exitCode null: look at both. */
const hasExited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
const exited = (c: ChildProcess) => new Promise((r) => (hasExited(c) ? r(null) : c.once('exit', r)));

async function stopServers(servers: Server[]): Promise<void> {
  for (const s of servers) if (!hasExited(s.child)) s.child.kill('SIGTERM');
  await Promise.all(servers.map((s) => exited(s.child)));
}

async function post(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<{ text: string; data?: unknown; errors?: unknown[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { text, ...(JSON.parse(text) as { data?: unknown; errors?: unknown[] }) };
}

const queryOf = (s: Scenario, target: Target) => (target === 'postgraphile' ? s.peerQuery : s.query);
const bodyOf = (s: Scenario, target: Target, d: Dataset) => JSON.stringify({ query: queryOf(s, target), variables: s.variables(d) });

/**
 * Every server must answer each scenario with the same `data`, byte for byte (PostGraphile's
 * field names are aliased to the gateway's in its query, so nothing is rewritten). Returns the
 * size of each server's whole response in bytes.
 */
async function checkAnswers(servers: Server[], scenarios: Scenario[], token: string, d: Dataset): Promise<Record<string, Partial<Record<Target, number>>>> {
  const sizes: Record<string, Partial<Record<Target, number>>> = {};
  for (const s of scenarios) {
    sizes[s.name] = {};
    let reference: { target: Target; data: string } | null = null;
    for (const server of servers) {
      const answer = await post(server.url, token, queryOf(s, server.target), s.variables(d));
      if (answer.errors && server.target === 'gatewayBefore') {
        // The other checkout cannot answer this request (its schema is older): not compared.
        notComparable.add(s.name);
        console.log(`${s.name}: gatewayBefore cannot answer it (${JSON.stringify(answer.errors).slice(0, 200)}): left out of the before/after comparison`);
        continue;
      }
      if (answer.errors) throw new Error(`${s.name} on ${server.target}: ${JSON.stringify(answer.errors)}`);
      const data = JSON.stringify(answer.data);
      sizes[s.name][server.target] = Buffer.byteLength(answer.text);
      if (!reference) reference = { target: server.target, data };
      else if (data !== reference.data && server.target === 'gatewayBefore') {
        // The other checkout answers this request differently (its schema or rules changed since):
        // it is left out of this request's rounds, and said so.
        notComparable.add(s.name);
        console.log(`${s.name}: gatewayBefore answers differently (the change altered this answer): left out of the before/after comparison`);
      } else if (data !== reference.data) {
        let i = 0;
        while (i < data.length && data[i] === reference.data[i]) i++;
        throw new Error(
          `${s.name}: ${server.target} answers differently from ${reference.target} at character ${i}:\n` +
            `  ${reference.target}: …${reference.data.slice(Math.max(0, i - 80), i + 80)}\n  ${server.target}: …${data.slice(Math.max(0, i - 80), i + 80)}`,
        );
      }
    }
    console.log(`${s.name}: identical answers; response bytes ${servers.map((x) => `${x.target} ${sizes[s.name][x.target]}`).join(', ')}`);
  }
  return sizes;
}

/** SQL statements per request, counted in-process on the ORM's connection and the reader for one request. */
async function sqlPerRequest(dbUrl: string, d: Dataset, secrets: Secrets): Promise<Record<string, number>> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: dbUrl, JWT_SECRET: secrets.jwt, CA_KEY_SECRET: secrets.caKey, LOG_LEVEL: 'silent' });
  const app = await startApp(config, createLogger('silent'), { port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${app.gateway.port}/graphql`;
  const token = await signToken(secrets.jwt, { sub: d.user.subject, email: d.user.email });
  let statements = 0;
  const unwatch = watchStatements(app.services, () => statements++);
  const out: Record<string, number> = {};
  try {
    for (const s of SCENARIOS) {
      await post(url, token, s.query, s.variables(d)); // warm caches, provisioning
      statements = 0;
      const body = await post(url, token, s.query, s.variables(d));
      if (body.errors) throw new Error(`${s.name}: ${JSON.stringify(body.errors)}`);
      out[s.name] = statements;
    }
  } finally {
    unwatch();
    await app.stop();
  }
  return out;
}

type Round = Record<string, Partial<Record<Target, Measurement>>>;

/** Requests the other checkout (BENCH_BEFORE_ROOT) answers differently: not measured on it. */
const notComparable = new Set<string>();

interface Phase {
  servers: Server[];
  scenarios: Scenario[];
  token: string;
  dataset: Dataset;
  connections: number;
  duration: number;
  postmasterPid: number | null;
  label: string;
}

/** One measurement of one request on one server, printed as it comes. */
async function measure(phase: Phase, s: Scenario, target: Target, label: string, duration = phase.duration): Promise<Measurement> {
  const server = phase.servers.find((x) => x.target === target)!;
  const m = await load({
    url: server.url,
    token: phase.token,
    body: bodyOf(s, target, phase.dataset),
    connections: phase.connections,
    duration,
    pid: server.child.pid!,
    postmasterPid: phase.postmasterPid,
  });
  const db = m.dbCpuMsPerRequest === null ? '' : `  db CPU ${m.dbCpuMsPerRequest.toFixed(2)} ms/req`;
  console.log(
    `${phase.label} ${label} ${s.name.padEnd(15)} ${target.padEnd(18)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  CPU ${m.cpuMsPerRequest.toFixed(2)} ms/req${db}  errors ${m.errors}`,
  );
  return m;
}

/** One interleaved round: every scenario on every server, the servers' order rotated by the round number. */
async function round(phase: Phase, n: number): Promise<Round> {
  const result: Round = {};
  for (const s of phase.scenarios) {
    result[s.name] = {};
    for (const target of rotate(phase.servers.map((x) => x.target), n)) {
      if (target === 'gatewayBefore' && notComparable.has(s.name)) continue;
      result[s.name][target] = await measure(phase, s, target, `round ${n + 1}`);
    }
  }
  return result;
}

/**
 * One round of two servers alone, for each scenario in the order A B B A (B A A B the next
 * round), each part half a measurement long; each server's two parts make its measurement. A
 * machine that speeds up or slows down during the round then weighs on both alike, where A B
 * would charge the drift to the difference.
 */
async function pairedRound(phase: Phase, n: number, pair: readonly [Target, Target]): Promise<Round> {
  const order = pairOrder(pair, n);
  const result: Round = {};
  for (const s of phase.scenarios) {
    const parts: Measurement[] = [];
    for (const [i, target] of order.entries()) parts.push(await measure(phase, s, target, `pair ${n + 1}.${i + 1}`, phase.duration / 2));
    result[s.name] = { [order[0]]: merge(parts[0], parts[3]), [order[1]]: merge(parts[1], parts[2]) };
  }
  return result;
}

async function warmUp(phase: Phase): Promise<void> {
  if (WARMUP <= 0) return;
  console.log(`${phase.label}: warming up (${WARMUP} s per server and request)`);
  for (const s of phase.scenarios)
    for (const server of phase.servers.filter((x) => !(x.target === 'gatewayBefore' && notComparable.has(s.name))))
      await load({ url: server.url, token: phase.token, body: bodyOf(s, server.target, phase.dataset), connections: phase.connections, duration: WARMUP, pid: server.child.pid!, postmasterPid: null });
}

interface ServerSummary {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  dbCpuMsPerRequest: number | null;
  errors: number;
}

/** Medians over the rounds of each figure; ratios are medians of the per-round ratios. */
function summarise(rounds: Round[], scenario: string, target: Target): ServerSummary | null {
  const ms = rounds.map((r) => r[scenario]?.[target]).filter((m): m is Measurement => !!m);
  if (!ms.length) return null;
  const db = ms.map((m) => m.dbCpuMsPerRequest).filter((x): x is number => x !== null && Number.isFinite(x));
  return {
    rps: median(ms.map((m) => m.rps)),
    p50: median(ms.map((m) => m.p50)),
    p99: median(ms.map((m) => m.p99)),
    cpuMsPerRequest: median(ms.map((m) => m.cpuMsPerRequest).filter(Number.isFinite)),
    dbCpuMsPerRequest: db.length ? median(db) : null,
    errors: ms.reduce((n, m) => n + m.errors, 0),
  };
}

function perRound(rounds: Round[], scenario: string, f: (r: Partial<Record<Target, Measurement>>) => number | null): number[] {
  return rounds.map((r) => (r[scenario] ? f(r[scenario]) : null)).filter((x): x is number => x !== null && Number.isFinite(x));
}

/** Authorization cost of one round: the throughput the development gateway loses to its authorization-off twin. */
const authzCost = (r: Partial<Record<Target, Measurement>>) =>
  r.gatewayDevelopment && r.gatewayNoAuthz ? 1 - r.gatewayDevelopment.rps / r.gatewayNoAuthz.rps : null;
const authzCpu = (r: Partial<Record<Target, Measurement>>) =>
  r.gatewayDevelopment && r.gatewayNoAuthz ? r.gatewayDevelopment.cpuMsPerRequest / r.gatewayNoAuthz.cpuMsPerRequest - 1 : null;
/** One server's measure against another's in a round (null where either lacks it, e.g. PostgreSQL's CPU when not measured). */
const ratioOf = (measure: (m: Measurement) => number | null) => (a: Target, b: Target) => (r: Partial<Record<Target, Measurement>>) => {
  const x = r[a] ? measure(r[a]!) : null;
  const y = r[b] ? measure(r[b]!) : null;
  return x != null && y != null ? x / y : null;
};
const ratio = ratioOf((m) => m.rps);
const cpuRatio = ratioOf((m) => m.cpuMsPerRequest);
const dbCpuRatio = ratioOf((m) => m.dbCpuMsPerRequest);

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');
const fmtInterval = (i: Interval) =>
  Number.isFinite(i.halfWidth) ? `${pct(i.mean)} ± ${(i.halfWidth * 100).toFixed(1)}` : `${pct(i.mean)} (${i.rounds} usable round${i.rounds === 1 ? '' : 's'}: no interval)`;

function postmasterPidOf(dataDir: string): number | null {
  try {
    return Number(readFileSync(resolve(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg().map((x) => Math.round(x * 10) / 10);
  let embedded: EmbeddedDatabase | null = null;
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let postmasterPid: number | null = null;
  if (!serverUrl) {
    const dataDir = resolve(root, '.data/bench');
    embedded = await startEmbeddedDatabase({ dataDir, port: Number(process.env.BENCH_PG_PORT ?? 54349), database: 'postgres', log });
    serverUrl = embedded.url;
    postmasterPid = postmasterPidOf(dataDir);
  }
  const tag = `${Date.now().toString(36)}`;
  const names: string[] = [];
  const secrets: Secrets = { jwt: randomBytes(32).toString('base64url'), caKey: randomBytes(32).toString('base64url') };
  const database = async (name: string) => {
    names.push(name);
    const url = await createDatabase(serverUrl!, name);
    await preparePeerSchema(url);
    return url;
  };
  try {
    console.log(`seeding ${JSON.stringify(LARGE)}`);
    const bigUrl = await database(`bench_${tag}`);
    const smallUrl = await database(`bench_${tag}_small`);
    const big = await seedDataset(bigUrl, LARGE, secrets.caKey, tag);
    const small = await seedDataset(smallUrl, SMALL, secrets.caKey, `${tag}s`);

    console.log('counting SQL statements per request at two data sizes');
    const sqlLarge = await sqlPerRequest(bigUrl, big, secrets);
    const sqlSmall = await sqlPerRequest(smallUrl, small, secrets);

    // 1×: every scenario on every server, interleaved rounds.
    const servers = await startServers(TARGETS, bigUrl, secrets, 4101);
    const phase: Phase = {
      servers,
      scenarios: SCENARIOS,
      token: await signToken(secrets.jwt, { sub: big.user.subject, email: big.user.email }),
      dataset: big,
      connections: CONNECTIONS,
      duration: DURATION,
      postmasterPid,
      label: '1×',
    };
    const sizes = await checkAnswers(servers, SCENARIOS, phase.token, big);
    await warmUp(phase);
    const rounds: Round[] = [];
    for (let n = 0; n < RUNS; n++) rounds.push(await round(phase, n));

    // The cost of authorization: the two development twins alone, A B B A, until every interval
    // resolves. In the main rounds up to four other measurements stand between the twins, and a
    // shared machine drifts meanwhile: there the per-round cost of `me` spread two to five times
    // as wide as in these rounds, so the cost is taken from these alone.
    const authzRounds: Round[] = [];
    const unresolved = () => SCENARIOS.some((s) => !(interval95(perRound(authzRounds, s.name, authzCost)).halfWidth < AUTHZ_TARGET));
    while (authzRounds.length < AUTHZ_MAX_RUNS && (authzRounds.length < AUTHZ_MIN_RUNS || unresolved())) {
      authzRounds.push(await pairedRound(phase, authzRounds.length, ['gatewayDevelopment', 'gatewayNoAuthz']));
    }
    const authzSource = authzRounds.length ? authzRounds : rounds;
    await stopServers(servers);

    // 1 worker against N: the production gateway with each WORKERS count, every scenario, interleaved rounds.
    const workerRounds: Round[] = [];
    if (WORKER_TARGETS.length) {
      const workerServers = await startServers(WORKER_TARGETS, bigUrl, secrets, 4201);
      try {
        const workerPhase: Phase = { ...phase, servers: workerServers, label: 'workers' };
        await checkAnswers(workerServers, SCENARIOS, phase.token, big);
        await warmUp(workerPhase);
        for (let n = 0; n < RUNS; n++) workerRounds.push(await round(workerPhase, n));
      } finally {
        await stopServers(workerServers);
      }
    }

    // 10×, 50×: the large query only, on the gateway, PostGraphile and the baseline.
    const consortium = SCENARIOS.filter((s) => s.name === 'consortium');
    const scales: { scale: number; dataset: DatasetSummary; responseBytes: Partial<Record<Target, number>>; rounds: Round[] }[] = [];
    for (const k of SCALES.filter((x) => x !== 1)) {
      const size = scaled(LARGE, k);
      console.log(`\n${k}×: seeding ${JSON.stringify(size)}`);
      const url = await database(`bench_${tag}_x${k}`);
      const dataset = await seedDataset(url, size, secrets.caKey, `${tag}x${k}`);
      const scaleServers = await startServers(SCALE_TARGETS, url, secrets, 4101 + 10 * k);
      const scalePhase: Phase = {
        servers: scaleServers,
        scenarios: consortium,
        token: await signToken(secrets.jwt, { sub: dataset.user.subject, email: dataset.user.email }),
        dataset,
        connections: SCALE_CONNECTIONS,
        duration: SCALE_DURATION,
        postmasterPid,
        label: `${k}×`,
      };
      try {
        const bytes = await checkAnswers(scaleServers, consortium, scalePhase.token, dataset);
        await warmUp(scalePhase);
        const scaleRounds: Round[] = [];
        for (let n = 0; n < SCALE_RUNS; n++) scaleRounds.push(await round(scalePhase, n));
        scales.push({ scale: k, dataset: size, responseBytes: bytes.consortium, rounds: scaleRounds });
      } finally {
        await stopServers(scaleServers);
      }
    }

    const summary = SCENARIOS.map((s) => ({
      scenario: s.name,
      description: s.description,
      responseBytes: sizes[s.name],
      servers: Object.fromEntries(TARGETS.map((t) => [t, summarise(rounds, s.name, t)])),
      gatewayPerPostgraphile: median(perRound(rounds, s.name, ratio('gateway', 'postgraphile'))),
      gatewayPerBaseline: median(perRound(rounds, s.name, ratio('gateway', 'baseline'))),
      cpuGatewayPerPostgraphile: median(perRound(rounds, s.name, cpuRatio('gateway', 'postgraphile'))),
      /** With BENCH_BEFORE_ROOT: the gateway's throughput and CPU per request against the other checkout's. */
      gatewayPerBefore: BEFORE_ROOT ? interval95(perRound(rounds, s.name, ratio('gateway', 'gatewayBefore'))) : null,
      cpuGatewayPerBefore: BEFORE_ROOT ? interval95(perRound(rounds, s.name, cpuRatio('gateway', 'gatewayBefore'))) : null,
      /** Mean of the per-round costs with its 95 % interval: what a claim may say. */
      authorizationCost: interval95(perRound(authzSource, s.name, authzCost)),
      authorizationCpuCost: interval95(perRound(authzSource, s.name, authzCpu)),
      sqlPerRequest: { large: sqlLarge[s.name], small: sqlSmall[s.name] },
    }));
    const scaleSummary = scales.map((x) => ({
      scale: x.scale,
      dataset: x.dataset,
      responseBytes: x.responseBytes,
      /** Once every list is a page, the large query answers as many bytes at any scale as at 1×. */
      gatewayBytesPer1x: (x.responseBytes.gateway ?? NaN) / (sizes.consortium.gateway ?? NaN),
      servers: Object.fromEntries(SCALE_TARGETS.map((t) => [t, summarise(x.rounds, 'consortium', t)])),
      gatewayPerPostgraphile: median(perRound(x.rounds, 'consortium', ratio('gateway', 'postgraphile'))),
      gatewayPerBaseline: median(perRound(x.rounds, 'consortium', ratio('gateway', 'baseline'))),
      /** With BENCH_BEFORE_ROOT: throughput, CPU and PostgreSQL CPU per request against the other checkout's, per round. */
      gatewayPerBefore: BEFORE_ROOT ? interval95(perRound(x.rounds, 'consortium', ratio('gateway', 'gatewayBefore'))) : null,
      cpuGatewayPerBefore: BEFORE_ROOT ? interval95(perRound(x.rounds, 'consortium', cpuRatio('gateway', 'gatewayBefore'))) : null,
      dbCpuGatewayPerBefore: BEFORE_ROOT ? interval95(perRound(x.rounds, 'consortium', dbCpuRatio('gateway', 'gatewayBefore'))) : null,
    }));
    const [fewest, most] = [WORKER_TARGETS[0], WORKER_TARGETS.at(-1)!];
    const workerSummary = SCENARIOS.map((s) => ({
      scenario: s.name,
      servers: Object.fromEntries(WORKER_TARGETS.map((t) => [t, summarise(workerRounds, s.name, t)])),
      /** Median of the per-round throughput ratios, most workers against fewest. */
      throughputRatio: median(perRound(workerRounds, s.name, ratio(most, fewest))),
      cpuRatio: median(perRound(workerRounds, s.name, cpuRatio(most, fewest))),
    }));
    const report = {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadavg().map((x) => Math.round(x * 10) / 10),
        database: embedded ? 'embedded PostgreSQL (its CPU is measured)' : 'BENCH_DATABASE_URL (its CPU is not measured)',
      },
      settings: {
        durationSeconds: DURATION,
        rounds: RUNS,
        authorizationRounds: authzRounds.length,
        authorizationMinRounds: AUTHZ_MIN_RUNS,
        authorizationMaxRounds: AUTHZ_MAX_RUNS,
        authorizationTarget: AUTHZ_TARGET,
        connections: CONNECTIONS,
        warmupSeconds: WARMUP,
        dataset: LARGE,
        scales: SCALES,
        scaleRounds: SCALE_RUNS,
        scaleConnections: SCALE_CONNECTIONS,
        scaleDurationSeconds: SCALE_DURATION,
        workers: WORKER_COUNTS,
        before: BEFORE_ROOT,
        nodeOptions: startOptions(root),
      },
      summary,
      workers: { counts: WORKER_COUNTS, summary: workerSummary },
      scales: scaleSummary,
      rounds,
      /** The authorization pair's own rounds (each twin's two parts merged); the cost comes from these. */
      authorizationRounds: authzRounds,
      workerRounds,
      scaleRounds: Object.fromEntries(scales.map((x) => [`${x.scale}x`, x.rounds])),
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(resolve(root, 'bench/results/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    printTables(summary, scaleSummary, authzRounds.length ? `${authzRounds.length} rounds of the pair alone (A B B A)` : `${rounds.length} main rounds`, workerSummary);
    console.log(`\nwritten to bench/results/latest.json in ${report.elapsedSeconds} s`);
  } finally {
    for (const child of running) if (!hasExited(child)) child.kill('SIGTERM');
    await Promise.all(running.map(exited));
    for (const name of names) await dropDatabase(serverUrl, name).catch(() => undefined);
    await embedded?.stop();
  }
}

type DatasetSummary = typeof LARGE;
type Summary = {
  scenario: string;
  responseBytes: Partial<Record<Target, number>>;
  servers: Record<string, ServerSummary | null>;
  gatewayPerPostgraphile: number;
  gatewayPerBaseline: number;
  cpuGatewayPerPostgraphile: number;
  gatewayPerBefore: Interval | null;
  cpuGatewayPerBefore: Interval | null;
  authorizationCost: Interval;
  authorizationCpuCost: Interval;
  sqlPerRequest: { large: number; small: number };
};

type WorkerSummary = { scenario: string; servers: Record<string, ServerSummary | null>; throughputRatio: number; cpuRatio: number };

function printTables(
  summary: Summary[],
  scales: {
    scale: number;
    responseBytes: Partial<Record<Target, number>>;
    gatewayBytesPer1x: number;
    servers: Record<string, ServerSummary | null>;
    gatewayPerPostgraphile: number;
    gatewayPerBaseline: number;
    gatewayPerBefore: Interval | null;
    cpuGatewayPerBefore: Interval | null;
    dbCpuGatewayPerBefore: Interval | null;
  }[],
  authzRounds: string,
  workers: WorkerSummary[],
): void {
  const cell = (x: ServerSummary | null) =>
    x ? `${x.rps.toFixed(0)} (${x.p50} / ${x.p99} ms, ${Number.isFinite(x.cpuMsPerRequest) ? x.cpuMsPerRequest.toFixed(2) : "–"} ms CPU)` : "–";
  console.log('\nreq/s (p50 / p99, CPU per request of the server process), medians over the rounds:\n');
  console.log(`| request | ${TARGETS.join(' | ')} | gateway / PostGraphile | CPU gateway / PostGraphile | gateway / baseline | SQL per request (large / small) |`);
  console.log(`|---|${TARGETS.map(() => '---|').join('')}---|---|---|---|`);
  for (const r of summary) {
    console.log(
      `| ${r.scenario} | ${TARGETS.map((t) => cell(r.servers[t])).join(' | ')} | ${pct(r.gatewayPerPostgraphile)} | ${Number.isFinite(r.cpuGatewayPerPostgraphile) ? `${r.cpuGatewayPerPostgraphile.toFixed(2)}×` : '–'} | ${pct(r.gatewayPerBaseline)} | ${r.sqlPerRequest.large} / ${r.sqlPerRequest.small} |`,
    );
  }
  console.log(`\nauthorization cost (development gateway against its authorization-off twin), mean ± 95 % interval over ${authzRounds}:\n`);
  console.log('| request | throughput lost | CPU per request added |');
  console.log('|---|---|---|');
  for (const r of summary) console.log(`| ${r.scenario} | ${fmtInterval(r.authorizationCost)} | ${fmtInterval(r.authorizationCpuCost)} |`);
  if (BEFORE_ROOT) {
    const times = (i: Interval | null) => (i && Number.isFinite(i.mean) ? `${i.mean.toFixed(3)}× ± ${Number.isFinite(i.halfWidth) ? i.halfWidth.toFixed(3) : '–'}` : '–');
    console.log(`\nthe gateway against ${BEFORE_ROOT} (gatewayBefore), both in production mode, mean ± 95 % interval of the per-round ratios:\n`);
    console.log('| request | throughput, now / before | CPU per request, now / before |');
    console.log('|---|---|---|');
    for (const r of summary) console.log(`| ${r.scenario} | ${times(r.gatewayPerBefore)} | ${times(r.cpuGatewayPerBefore)} |`);
  }
  if (WORKER_COUNTS.length) {
    const [fewest, most] = [WORKER_COUNTS[0], WORKER_COUNTS.at(-1)!];
    const workerLabel = (k: number) => `WORKERS=${k} req/s (p50 / p99, CPU of all processes)`;
    console.log(`\nthe production gateway by WORKERS (${cpus().length} cores; the load generator runs on the same machine), medians over ${RUNS} rounds:\n`);
    console.log(`| request | ${WORKER_COUNTS.map(workerLabel).join(' | ')} | throughput ${most} / ${fewest} | CPU per request ${most} / ${fewest} |`);
    console.log(`|---|${WORKER_COUNTS.map(() => '---|').join('')}---|---|`);
    for (const r of workers) {
      console.log(
        `| ${r.scenario} | ${WORKER_COUNTS.map((k) => cell(r.servers[workersTarget(k)])).join(' | ')} | ${Number.isFinite(r.throughputRatio) ? `${r.throughputRatio.toFixed(2)}×` : '–'} | ${Number.isFinite(r.cpuRatio) ? `${r.cpuRatio.toFixed(2)}×` : '–'} |`,
      );
    }
  }
  if (scales.length) {
    const dbCpu = (x: ServerSummary | null) => (x?.dbCpuMsPerRequest != null ? x.dbCpuMsPerRequest.toFixed(2) : '–');
    console.log('\nthe large query as the data grows:\n');
    console.log(`| data | ${SCALE_TARGETS.map((t) => `${t} req/s (p50 / p99, CPU)`).join(' | ')} | response bytes (${SCALE_TARGETS.join(' / ')}) | gateway bytes / 1× | gateway / PostGraphile | gateway / baseline | PostgreSQL CPU ms per request (${SCALE_TARGETS.join(' / ')}) |`);
    console.log(`|---|${SCALE_TARGETS.map(() => '---|').join('')}---|---|---|---|---|`);
    for (const x of scales) {
      console.log(
        `| ${x.scale}× | ${SCALE_TARGETS.map((t) => cell(x.servers[t])).join(' | ')} | ${SCALE_TARGETS.map((t) => x.responseBytes[t]).join(' / ')} | ${x.gatewayBytesPer1x.toFixed(2)}× | ${pct(x.gatewayPerPostgraphile)} | ${pct(x.gatewayPerBaseline)} | ${SCALE_TARGETS.map((t) => dbCpu(x.servers[t])).join(' / ')} |`,
      );
    }
    if (BEFORE_ROOT) {
      const times = (i: Interval | null) => (i && Number.isFinite(i.mean) ? `${i.mean.toFixed(3)}× ± ${Number.isFinite(i.halfWidth) ? i.halfWidth.toFixed(3) : '–'}` : '–');
      console.log(`\nthe large query as the data grows, the gateway against ${BEFORE_ROOT} (gatewayBefore), mean ± 95 % interval of the per-round ratios:\n`);
      console.log('| data | throughput, now / before | CPU per request, now / before | PostgreSQL CPU per request, now / before |');
      console.log('|---|---|---|---|');
      for (const x of scales) console.log(`| ${x.scale}× | ${times(x.gatewayPerBefore)} | ${times(x.cpuGatewayPerBefore)} | ${times(x.dbCpuGatewayPerBefore)} |`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  for (const child of running) if (!hasExited(child)) child.kill('SIGKILL');
  process.exit(1);
});
