// Measures how long `npm start` takes to be ready on a second start (nothing to build, the
// embedded PostgreSQL's cluster and the migrations already in place): the time from spawning
// `npm start` to the first successful GET /readyz, median of START_RUNS (default 3), for the
// default WORKERS (the number of cores) and for WORKERS=1. A first start on the same fresh data
// folder (DATA_DIR in a temporary folder) creates the cluster and migrates; it is not counted.
//
//   node scripts/measure-start.mjs            (or: npm run bench:start)
//   START_RUNS=5 START_WORKERS=1,2 node scripts/measure-start.mjs
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.START_RUNS ?? 3);
const workerCounts = (process.env.START_WORKERS ?? `${availableParallelism()},1`).split(',').map(Number);

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * CPU seconds (user + system) spent so far by `pid` and every process below it, the finished
 * ones included (npm's prestart steps): on a loaded machine the wall time varies, this less so.
 * Linux only (/proc); clock ticks of 10 ms.
 */
function treeCpuSeconds(pid) {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[1] is the parent; utime, stime, cutime, cstime are fields 14–17 of stat (11–14 here).
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: fields.slice(11, 15).reduce((a, b) => a + Number(b), 0) });
    } catch {
      // exited meanwhile
    }
  }
  let ticks = 0;
  const inTree = (p) => {
    for (let q = p, depth = 0; q > 1 && depth < 64; q = stats.get(q)?.ppid ?? 0, depth++) if (q === pid) return true;
    return false;
  };
  for (const [p, { ticks: t }] of stats) if (inTree(p)) ticks += t;
  return ticks / 100;
}

/** Spawns `npm start`, returns the ms until /readyz answers 200, then stops it (SIGTERM to its group). */
async function startOnce(env) {
  const port = await freePort();
  let output = '';
  const began = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: 'development', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let allReadyMs = null;
  child.stdout.on('data', (d) => {
    output += d;
    // The primary logs "gateway ready" once every worker listens (one process: once it listens).
    if (allReadyMs === null && output.includes('gateway ready')) allReadyMs = performance.now() - began;
  });
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((ok) => child.once('exit', (code) => ok(code)));
  let readyMs = null;
  let cpu = null;
  const deadline = began + 120_000;
  while (performance.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) {
        readyMs = performance.now() - began;
        cpu = treeCpuSeconds(child.pid);
        break;
      }
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  // Every worker ready is logged at most a moment after the first /readyz: wait for the line.
  while (allReadyMs === null && child.exitCode === null && performance.now() < deadline) await sleep(5);
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // gone already
  }
  const code = await exited;
  if (readyMs === null) throw new Error(`npm start was not ready (exit ${code}):\n${output}`);
  return { readyMs, allReadyMs: allReadyMs ?? readyMs, cpu };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dataDir = mkdtempSync(join(tmpdir(), 'gateway-start-'));
// PostgreSQL runs as the `postgres` user when this runs as root: it must reach the folder.
chmodSync(dataDir, 0o755);
try {
  const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
  delete process.env.DATABASE_URL;
  const first = await startOnce({ ...env, WORKERS: '1' });
  console.log(`first start (creates the cluster, migrates, builds if stale): ${first.readyMs.toFixed(0)} ms`);
  for (const workers of workerCounts) {
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await startOnce({ ...env, WORKERS: String(workers) }));
    const ms = (xs) => xs.map((t) => t.toFixed(0)).join(', ');
    const ready = times.map((t) => t.readyMs);
    const all = times.map((t) => t.allReadyMs);
    const cpu = times.map((t) => t.cpu);
    console.log(
      `second start, WORKERS=${workers}: median ${median(ready).toFixed(0)} ms to the first /readyz (${ms(ready)}), ` +
        `${median(all).toFixed(0)} ms until every worker is ready (${ms(all)}); ` +
        `CPU until the first /readyz, all processes: median ${median(cpu).toFixed(2)} s (${cpu.map((c) => c.toFixed(2)).join(', ')})`,
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
