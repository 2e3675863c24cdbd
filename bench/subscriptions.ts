// Fan-out benchmark of live subscriptions, end to end, as a user runs the gateway, against a floor:
//
//   npm run build && node dist/bench/subscriptions.js [--subscribers 1000,5000,10000,20000] [--servers gateway,floor]
//                                                     [--workers 1,2] [--client-processes 1] [--mutations 20] [--timeout 600]
//
// Each server is measured at each subscriber count, one after the other, in a fresh process:
// - gateway: as `npm start` starts it, on a fresh database, with each of --workers gateway
//   processes (WORKERS; default 1, as the floor is one process, and one per core, as `npm start`);
// - floor: a bare graphql-ws server with an in-memory pubsub (bench/subscription-floor.ts),
//   driven by the same clients, the same subscription, the same mutation, the same node options.
// The clients run in this process, or spread over --client-processes child processes for every
// server alike (default 1).
//
// It creates a fresh database on BENCH_DATABASE_URL's server (e.g. postgres://postgres@127.0.0.1:5432/postgres),
// or on an embedded PostgreSQL in .data/bench when unset; starts the gateway against it as `npm start` does;
// creates an organization and a consortium through the API; seeds N member users (100 per member
// organization); opens N graphql-ws connections (raw `ws`, protocol graphql-transport-ws), each
// subscribed to consortiumEvents; then runs K updateConsortium mutations one after another and
// measures, for each, the time from sending the mutation until the LAST subscriber has the event.
// Memory per connection is the gateway's VmRSS growth while the N subscriptions opened, divided by N.
// Results: bench/results/subscriptions.json, and a table on stdout with each gateway figure against
// the floor's. Aborts after --timeout seconds in all.
//
// A process holds one file descriptor per connection, so a count above what `ulimit -n` allows
// one process (N + 1,000) is measured on the gateway alone, with its connections spread: the
// gateway runs that many WORKERS (each holding its share of the sockets; its memory is the sum over
// the cluster's processes), and the clients run in as many child processes of this one, each
// reporting when all of its clients have an event. The floor, one process with an in-memory
// pubsub, cannot be spread, so it is left out at such a count. The table labels these rows.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { Client } from 'pg';
import WebSocket from 'ws';
import { signToken } from '../src/auth/jwt';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import { startOptions } from './start-options';

const ROOT = resolve(__dirname, '../..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const list = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : fallback).split(',').filter(Boolean);
};
const COUNTS = list('subscribers', '1000,5000,10000').map(Number);
const SERVERS = list('servers', 'gateway,floor') as ServerKind[];
/** Gateway processes (WORKERS) each gateway count is measured with: 1, as the floor, and `npm start`'s one per core. */
const WORKERS = list('workers', `1,${availableParallelism()}`).map(Number);
/** Processes the clients run in, for every server alike (more when one process cannot hold them). */
const CLIENT_PROCESSES = arg('client-processes', 1);
const K = arg('mutations', 20);
const TIMEOUT_S = arg('timeout', 300 * COUNTS.length * (SERVERS.length + WORKERS.length - 1));
const USERS_PER_ORG = 100;
const CONNECT_CONCURRENCY = 200;
const JWT_SECRET = randomBytes(32).toString('base64url');

const SUBSCRIPTION = 'subscription($c: ID!, $a: Float) { consortiumEvents(consortiumId: $c, after: $a) { sequence kind } }';

type ServerKind = 'gateway' | 'floor';
let server: ChildProcess | null = null;
let embedded: EmbeddedDatabase | null = null;
let dropDatabase: (() => Promise<void>) | null = null;
let sockets: WebSocket[] = [];

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
    srv.once('error', fail);
  });
}

/** Milliseconds since the epoch with sub-millisecond resolution: comparable across this run's processes. */
const now = () => performance.timeOrigin + performance.now();
/** File descriptors one process may hold, and so the connections one process can take (with 1,000 to spare). */
const FD_LIMIT = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
const PER_PROCESS = Number.isFinite(FD_LIMIT) ? FD_LIMIT - 1000 : Infinity;
/** Processes a count is spread over (server workers and client processes): 1 while one process can hold it. */
const spreadOf = (N: number) => (N <= PER_PROCESS ? 1 : Math.ceil(N / PER_PROCESS));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const begin = Date.now();
const progress = (what: string) => console.error(`[${((Date.now() - begin) / 1000).toFixed(1)} s] ${what}`);

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN);
}

/** RSS of a process and of the processes it started (a cluster primary and its workers). */
function familyRssKiB(pid: number): number {
  let sum = rssKiB(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) sum += rssKiB(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return sum;
}

function quantile(sorted: number[], q: number): number {
  // nearest rank: with K = 20, p99 is the slowest of the K
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function graphql<T>(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

/** A fresh database on the given server (or on an embedded one), dropped at the end. */
async function freshDatabase(): Promise<{ url: string; server: string }> {
  let server = process.env.BENCH_DATABASE_URL;
  if (!server && embedded) server = embedded.url;
  if (!server) {
    embedded = await startEmbeddedDatabase({ dataDir: resolve(ROOT, '.data/bench'), port: 54359, database: 'postgres', log: createLogger('warn') });
    server = embedded.url;
  }
  const name = `bench_subscriptions_${Date.now()}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  dropDatabase = async () => {
    const c = new Client({ connectionString: server });
    await c.connect();
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.end();
  };
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), server: server.replace(/\/\/[^@]*@/, '//***@') };
}

/** The floor: started with the gateway's node options, no database. */
async function startFloor(): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...startOptions(ROOT), resolve(ROOT, 'dist/bench/subscription-floor.js'), String(port), JWT_SECRET], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  server = child;
  return { url: await ready(child, port), pid: child.pid! };
}

async function ready(child: ChildProcess, port: number): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return `${base}/graphql`;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('the server did not become ready within 60 s');
}

async function startGateway(databaseUrl: string, workers: number): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  // BENCH_GATEWAY_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the gateway.
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...startOptions(ROOT), ...nodeArgs, resolve(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // --workers processes (at least as many as a count one process cannot hold needs: see plan).
      WORKERS: String(workers),
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET,
      CA_KEY_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  server = child;
  return { url: await ready(child, port), pid: child.pid! };
}

/** One organization and its consortium through the API; N member users seeded in bulk. */
async function seed(N: number, databaseUrl: string, url: string): Promise<{ consortiumId: string; adminToken: string; tokens: string[]; head: number }> {
  const adminToken = await signToken(JWT_SECRET, { sub: 'bench|admin', email: 'admin@bench.test' });
  await graphql(url, adminToken, 'mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }', { i: { name: 'Bench admin' } });
  const { createConsortium } = await graphql<{ createConsortium: { id: string } }>(
    url,
    adminToken,
    'mutation($i: CreateConsortiumInput!) { createConsortium(input: $i) { id } }',
    { i: { name: 'Bench consortium' } },
  );
  const consortiumId = createConsortium.id;
  const orgs = Math.ceil(N / USERS_PER_ORG);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const orgIds = Array.from({ length: orgs }, () => randomUUID());
  await db.query(
    `insert into organization (id, name) select id, 'Bench member ' || n from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [orgIds],
  );
  await db.query(
    `insert into membership (id, consortium_id, organization_id, display_name, role, status)
     select gen_random_uuid(), $1, id, 'seat ' || n, 'MEMBER', 'ACTIVE' from unnest($2::uuid[]) with ordinality as t(id, n)`,
    [consortiumId, orgIds],
  );
  const userOrg = Array.from({ length: N }, (_, i) => orgIds[Math.floor(i / USERS_PER_ORG)]);
  // Returning users whose provider vouched for their address (the tokens say nothing else), as
  // the migration that added email_verified marks every user who signed in: a user seen for the
  // first time with a verified address pays a one-time update, which is not what is measured.
  await db.query(
    `insert into app_user (id, subject, email, email_verified, organization_id, account_role)
     select gen_random_uuid(), 'bench|' || n, 'user' || n || '@bench.test', true, org, 'MEMBER'
       from unnest($1::uuid[]) with ordinality as t(org, n)`,
    [userOrg],
  );
  const [{ head }] = (await db.query<{ head: string }>('select coalesce(max(sequence), 0) as head from event')).rows;
  await db.end();
  const tokens = await Promise.all(userOrg.map((_, i) => signToken(JWT_SECRET, { sub: `bench|${i + 1}`, email: `user${i + 1}@bench.test` })));
  return { consortiumId, adminToken, tokens, head: Number(head) };
}

interface Fleet {
  counts: Int32Array;
  /** Per target count: how many clients reached it, and when the last one did. */
  reached: Map<number, { clients: number; last: number; first: number }>;
  failures: string[];
}

/** Opens the N connections; each subscribes once acknowledged. Resolves when all are subscribed (sent). */
async function connectAll(wsUrl: string, tokens: string[], consortiumId: string, after: number, fleet: Fleet): Promise<void> {
  let next = 0;
  const subscribeMessage = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION, variables: { c: consortiumId, a: after } } });
  const openOne = (i: number) =>
    new Promise<void>((ok, fail) => {
      const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
      sockets.push(ws);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${tokens[i]}` } })));
      ws.on('message', (raw: Buffer) => {
        const text = raw.toString();
        if (text.includes('"type":"next"')) {
          if (text.includes('"errors"')) fleet.failures.push(`client ${i}: ${text}`);
          const count = ++fleet.counts[i];
          const at = now();
          const r = fleet.reached.get(count) ?? { clients: 0, last: 0, first: at };
          r.clients++;
          r.last = at;
          fleet.reached.set(count, r);
        } else if (text.includes('"type":"connection_ack"')) {
          ws.send(subscribeMessage);
          ok();
        } else if (text.includes('"type":"error"') || text.includes('"type":"complete"')) {
          fleet.failures.push(`client ${i}: ${text}`);
        }
      });
      ws.on('close', (code) => {
        if (code !== 1000) fleet.failures.push(`client ${i} closed with ${code}`);
        ok();
      });
      ws.on('error', fail);
    });
  const workers = Array.from({ length: CONNECT_CONCURRENCY }, async () => {
    while (next < tokens.length) {
      const i = next++;
      await openOne(i);
      if ((i + 1) % 1000 === 0) progress(`${i + 1} connections acknowledged`);
    }
  });
  await Promise.all(workers);
}

/** Child processes that hold clients when one process cannot hold them all (see the header). */
let clientProcesses: ChildProcess[] = [];

type ClientsMessage =
  | { type: 'subscribed' }
  | { type: 'reached'; target: number; clients: number; first: number; last: number }
  | { type: 'failure'; text: string };

/**
 * The clients spread over `processes` children of this one, each opening its share as connectAll
 * does; their reports fill the same fleet (per event: how many clients, the first and last time).
 */
async function connectSpread(wsUrl: string, tokens: string[], consortiumId: string, after: number, fleet: Fleet, processes: number): Promise<void> {
  const share = Math.ceil(tokens.length / processes);
  await Promise.all(
    Array.from({ length: processes }, (_, p) => {
      const child = fork(__filename, ['--clients-child'], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      clientProcesses.push(child);
      return new Promise<void>((ok, fail) => {
        child.on('message', (m: ClientsMessage) => {
          if (m.type === 'subscribed') ok();
          else if (m.type === 'failure') fleet.failures.push(m.text);
          else {
            const r = fleet.reached.get(m.target) ?? { clients: 0, last: 0, first: Infinity };
            r.clients += m.clients;
            r.first = Math.min(r.first, m.first);
            r.last = Math.max(r.last, m.last);
            fleet.reached.set(m.target, r);
          }
        });
        child.once('exit', (code) => {
          fleet.failures.push(`a client process exited with ${code}`);
          fail(new Error(`a client process exited with ${code}`));
        });
        child.send({ wsUrl, tokens: tokens.slice(p * share, (p + 1) * share), consortiumId, after });
      });
    }),
  );
}

/** In a client process: opens its share, then reports each event once all of its clients have it. */
function clientsChild(): void {
  const send = (m: ClientsMessage) => process.send!(m);
  process.once('message', async (task: { wsUrl: string; tokens: string[]; consortiumId: string; after: number }) => {
    const fleet: Fleet = { counts: new Int32Array(task.tokens.length), reached: new Map(), failures: [] };
    await connectAll(task.wsUrl, task.tokens, task.consortiumId, task.after, fleet);
    send({ type: 'subscribed' });
    let reported = 0;
    let failures = 0;
    setInterval(() => {
      while (failures < fleet.failures.length) send({ type: 'failure', text: fleet.failures[failures++] });
      for (;;) {
        const r = fleet.reached.get(reported + 1);
        if (!r || r.clients < task.tokens.length) break;
        reported++;
        send({ type: 'reached', target: reported, clients: r.clients, first: r.first, last: r.last });
      }
    }, 2);
  });
  // The parent ends the run by disconnecting (or dying): close every socket and leave.
  process.once('disconnect', () => {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  });
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** What the floor needs: a consortium id of its own and the same tokens. */
async function floorClients(N: number): Promise<{ consortiumId: string; adminToken: string; tokens: string[]; head: number }> {
  const adminToken = await signToken(JWT_SECRET, { sub: 'bench|admin', email: 'admin@bench.test' });
  const tokens = await Promise.all(Array.from({ length: N }, (_, i) => signToken(JWT_SECRET, { sub: `bench|${i + 1}`, email: `user${i + 1}@bench.test` })));
  return { consortiumId: randomUUID(), adminToken, tokens, head: 0 };
}

const round = (x: number) => Math.round(x * 10) / 10;

/** One server at one subscriber count, in a fresh process (and for the gateway a fresh database). */
async function measure(kind: ServerKind, N: number, workers: number) {
  const started = Date.now();
  const spread = Math.max(spreadOf(N), CLIENT_PROCESSES);
  let database: string | null = null;
  let srv: { url: string; pid: number };
  let clients: { consortiumId: string; adminToken: string; tokens: string[]; head: number };
  if (kind === 'gateway') {
    const fresh = await freshDatabase();
    database = fresh.server;
    srv = await startGateway(fresh.url, workers);
    progress(`${kind} ready`);
    clients = await seed(N, fresh.url, srv.url);
  } else {
    srv = await startFloor();
    progress(`${kind} ready`);
    clients = await floorClients(N);
  }
  const { consortiumId, adminToken, tokens, head } = clients;
  progress(`${kind}: ${N} member users and their tokens`);
  await sleep(500);
  const rssBefore = familyRssKiB(srv.pid);

  const fleet: Fleet = { counts: new Int32Array(N), reached: new Map(), failures: [] };
  const t0 = performance.now();
  const wsUrl = srv.url.replace(/^http/, 'ws');
  if (spread === 1) await connectAll(wsUrl, tokens, consortiumId, head, fleet);
  else await connectSpread(wsUrl, tokens, consortiumId, head, fleet, spread);
  const mutate = (name: string) =>
    graphql(srv.url, adminToken, 'mutation($id: ID!, $i: UpdateConsortiumInput!) { updateConsortium(id: $id, input: $i) { id } }', {
      id: consortiumId,
      i: { name },
    });
  // Warm-up: the first event reaching all N also proves every subscription is registered.
  progress(`${kind}: all connections acknowledged and subscribed; warm-up mutation`);
  await mutate('warm-up');
  await waitFor(() => (fleet.reached.get(1)?.clients ?? 0) >= N || fleet.failures.length > 0, 60_000, 'every subscriber to be registered');
  const connectSeconds = (performance.now() - t0) / 1000;
  if (fleet.failures.length) throw new Error(`subscriptions failed: ${fleet.failures.slice(0, 3).join(' | ')}`);
  await sleep(1000);
  const rssAfter = familyRssKiB(srv.pid);
  progress(`${kind}: every subscriber registered (warm-up event received by all); measuring ${K} mutations`);

  const latencies: number[] = [];
  const firsts: number[] = [];
  const responses: number[] = [];
  for (let k = 0; k < K; k++) {
    const target = k + 2;
    const sent = now();
    await mutate(`bench ${k}`);
    responses.push(now() - sent);
    await waitFor(() => (fleet.reached.get(target)?.clients ?? 0) >= N || fleet.failures.length > 0, 30_000, `event ${k} to reach all`);
    if (fleet.failures.length) throw new Error(`subscriptions failed: ${fleet.failures.slice(0, 3).join(' | ')}`);
    const r = fleet.reached.get(target)!;
    latencies.push(r.last - sent);
    firsts.push(r.first - sent);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  await stopRun();
  return {
    server: kind,
    subscribers: N,
    /** Server processes (the gateway's WORKERS; the floor is one). */
    workers,
    /** Client processes the connections were spread over. */
    clientProcesses: spread,
    database,
    connectAndRegisterSeconds: round(connectSeconds),
    lastSubscriberLatencyMs: {
      median: round(quantile(sorted, 0.5)),
      p99: round(quantile(sorted, 0.99)),
      min: round(sorted[0]),
      max: round(sorted[sorted.length - 1]),
      each: latencies.map(round),
    },
    firstSubscriberLatencyMsMedian: round(quantile([...firsts].sort((a, b) => a - b), 0.5)),
    mutationResponseMsMedian: round(quantile([...responses].sort((a, b) => a - b), 0.5)),
    memory: {
      rssBeforeMiB: round(rssBefore / 1024),
      rssAfterMiB: round(rssAfter / 1024),
      perConnectionKiB: round((rssAfter - rssBefore) / N),
    },
    durationSeconds: round((Date.now() - started) / 1000),
  };
}

type Result = Awaited<ReturnType<typeof measure>>;

/** What runs: a count one process cannot hold is measured on the spread gateway alone (see the header). */
function plan(): { kind: ServerKind; N: number; workers: number }[] {
  const runs: { kind: ServerKind; N: number; workers: number }[] = [];
  for (const N of COUNTS) {
    for (const kind of SERVERS) {
      if (kind === 'floor' && spreadOf(N) > 1) {
        console.error(
          `${N} subscribers: more than one process can hold (ulimit -n ${FD_LIMIT}); the floor is left out, the gateway runs at least ${spreadOf(N)} workers and ${spreadOf(N)} client processes`,
        );
        continue;
      }
      if (kind === 'floor') runs.push({ kind, N, workers: 1 });
      // Each worker count once: a count one process cannot hold needs at least spreadOf(N).
      else for (const workers of new Set(WORKERS.map((w) => Math.max(w, spreadOf(N))))) runs.push({ kind, N, workers });
    }
  }
  return runs;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg().map(round);
  const abort = setTimeout(() => {
    console.error(`aborting: the benchmark took longer than ${TIMEOUT_S} s`);
    void cleanup().finally(() => process.exit(1));
  }, TIMEOUT_S * 1000);
  abort.unref();
  const results: Result[] = [];
  for (const { kind, N, workers } of plan()) results.push(await measure(kind, N, workers));

  const report = {
    date: new Date().toISOString(),
    mutations: K,
    node: process.version,
    nodeOptions: startOptions(ROOT),
    // The server, PostgreSQL and the N clients share these cores (and whatever else runs there).
    machine: { cpus: cpus().length, totalMemMiB: Math.round(totalmem() / 2 ** 20), loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg().map(round) },
    results,
    durationSeconds: round((Date.now() - started) / 1000),
  };
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(ROOT, 'bench/results/subscriptions.json'), `${JSON.stringify(report, null, 2)}\n`);
  printTable(results);
  console.log('written to bench/results/subscriptions.json');
}

/** Each figure of the gateway, and when the floor ran at the same count, gateway / floor. */
function printTable(results: Result[]): void {
  const vs = (g: number, f: number | undefined) => (f ? `${g} (${(g / f).toFixed(2)}×)` : String(g));
  console.log(`\nlast subscriber has the event, ${K} mutations; gateway figures with gateway / floor in brackets:\n`);
  console.log('| subscribers | server | last delivery median / p99 (ms) | first delivery median (ms) | connect + register all (s) | memory per subscription (KiB) | mutation answer median (ms) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const floor = r.server === 'gateway' ? results.find((x) => x.server === 'floor' && x.subscribers === r.subscribers) : undefined;
    console.log(
      `| ${r.subscribers} | ${r.server}${r.server === 'gateway' ? ` (${r.workers} worker${r.workers > 1 ? 's' : ''})` : ''}${r.clientProcesses > 1 ? `, ${r.clientProcesses} client processes` : ''} | ${vs(r.lastSubscriberLatencyMs.median, floor?.lastSubscriberLatencyMs.median)} / ${vs(r.lastSubscriberLatencyMs.p99, floor?.lastSubscriberLatencyMs.p99)} | ${r.firstSubscriberLatencyMsMedian} | ${vs(r.connectAndRegisterSeconds, floor?.connectAndRegisterSeconds)} | ${vs(r.memory.perConnectionKiB, floor?.memory.perConnectionKiB)} | ${r.mutationResponseMsMedian} |`,
    );
  }
}

/** Closes this run's connections, stops its server and drops its database. */
async function stopRun(): Promise<void> {
  for (const ws of sockets) ws.terminate();
  sockets = [];
  for (const child of clientProcesses) {
    child.removeAllListeners('exit');
    if (child.connected) child.disconnect();
  }
  clientProcesses = [];
  if (server && server.exitCode === null) {
    const child = server;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  server = null;
  await dropDatabase?.().catch((err) => console.error('could not drop the bench database:', err));
  dropDatabase = null;
}

async function cleanup(): Promise<void> {
  await stopRun();
  await embedded?.stop();
}

if (process.argv.includes('--clients-child')) {
  clientsChild();
} else {
  main()
    .then(cleanup)
    .then(() => process.exit(0))
    .catch(async (err) => {
      console.error(err);
      await cleanup();
      process.exit(1);
    });
}
