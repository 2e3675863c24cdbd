import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** One load measurement of one server. */
export interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  /** Seconds measured (autocannon's own count). */
  seconds: number;
  /** CPU time of the server's process per answered request (user + system), in milliseconds. */
  cpuMsPerRequest: number;
  /** CPU time of the PostgreSQL server per answered request, when the benchmark owns that server. */
  dbCpuMsPerRequest: number | null;
}

export interface LoadSpec {
  url: string;
  token: string;
  body: string;
  connections: number;
  duration: number;
  /** The server's process, for its CPU time (with its child processes': a cluster's workers). */
  pid: number;
  /** The PostgreSQL postmaster's pid when the benchmark started that server, else null. */
  postmasterPid: number | null;
}

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** utime + stime of one process in clock ticks (/proc/<pid>/stat fields 14 and 15). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * CPU ticks of a process and of every process it started (its direct children): a PostgreSQL
 * server's postmaster with its backends and workers, a gateway's cluster primary with its workers.
 */
export function familyTicks(parentPid: number): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      if (pid === parentPid || Number(fields[1]) === parentPid) ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks;
}

function ticksSince(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return sum;
}

export async function load(spec: LoadSpec): Promise<Measurement> {
  // A server's children are its cluster workers (WORKERS > 1); a single process has none (its
  // compiler threads are counted in its own stat). The database is measured apart.
  const cpuBefore = familyTicks(spec.pid);
  const dbBefore = spec.postmasterPid ? familyTicks(spec.postmasterPid) : null;
  const result = await autocannon({
    url: spec.url,
    method: 'POST',
    connections: spec.connections,
    duration: spec.duration,
    timeout: 60,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${spec.token}` },
    body: spec.body,
  });
  const cpu = ticksSince(cpuBefore, familyTicks(spec.pid)) * TICK_MS;
  const db = dbBefore ? ticksSince(dbBefore, familyTicks(spec.postmasterPid!)) * TICK_MS : null;
  const requests = result['2xx'];
  return {
    // answers over the measured time: exact even when an answer takes longer than autocannon's one-second samples
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    requests: result['2xx'],
    seconds: result.duration,
    // no answer in the whole measurement: no figure rather than a made-up one
    cpuMsPerRequest: requests ? cpu / requests : NaN,
    dbCpuMsPerRequest: db === null ? null : requests ? db / requests : NaN,
  };
}

/**
 * One server's measurement from two parts of it: throughput and CPU per request over both parts'
 * answers and time; p50 and p99 the answer-weighted mean of the parts' (autocannon reports no
 * histogram to merge).
 */
export function merge(a: Measurement, b: Measurement): Measurement {
  const requests = a.requests + b.requests;
  const weighted = (f: (m: Measurement) => number) => (requests ? (f(a) * a.requests + f(b) * b.requests) / requests : NaN);
  const db = a.dbCpuMsPerRequest === null || b.dbCpuMsPerRequest === null ? null : weighted((m) => m.dbCpuMsPerRequest!);
  return {
    rps: requests / (a.seconds + b.seconds),
    p50: Math.round(weighted((m) => m.p50) * 10) / 10,
    p99: Math.round(weighted((m) => m.p99) * 10) / 10,
    errors: a.errors + b.errors,
    requests,
    seconds: a.seconds + b.seconds,
    cpuMsPerRequest: weighted((m) => m.cpuMsPerRequest),
    dbCpuMsPerRequest: db,
  };
}

export const median = (xs: number[]): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Mean of paired per-round values and its two-sided 95 % confidence interval (Student's t). */
export interface Interval {
  mean: number;
  low: number;
  high: number;
  halfWidth: number;
  rounds: number;
}

export function interval95(xs: number[]): Interval {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, low: -Infinity, high: Infinity, halfWidth: Infinity, rounds: n };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const halfWidth = tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return { mean, low: mean - halfWidth, high: mean + halfWidth, halfWidth, rounds: n };
}

/**
 * The order of one round of a pair, in parts: A B B A, and B A A B the next round. Each server's
 * parts sit at the same mean time, so a drift linear over the round weighs on both alike.
 */
export function pairOrder<T>(pair: readonly [T, T], round: number): [T, T, T, T] {
  const [a, b] = rotate([...pair], round);
  return [a, b, b, a];
}

/** Rotates a list by k places: round k starts with another server, so no server always follows the same one. */
export function rotate<T>(xs: T[], k: number): T[] {
  const i = ((k % xs.length) + xs.length) % xs.length;
  return [...xs.slice(i), ...xs.slice(0, i)];
}
