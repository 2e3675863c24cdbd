// A bounded pool of warm solc worker threads. Compilation is CPU-bound and blocks for tens of
// milliseconds to seconds, so it never runs on the gateway's event loop.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { compilationDuration } from '../../../observability/metrics';
import { traced } from '../../../observability/tracing';
import type { AbiItem } from '../api';
import {
  buildStandardInput, DEFAULT_FILE_NAME, diagnosticsOf, interpretOutput, VERSION_BUFFER_BYTES, WORKER_SOURCE,
  type Diagnostic, type WorkerInit, type WorkerJob, type WorkerReply,
} from './worker';

/** Outcome of one compilation: artifacts, or the compiler's (or pool's) error messages. */
export type CompileResult =
  | { ok: true; contractName: string; bytecode: string; deployedBytecode: string; abi: AbiItem[]; warnings: string[]; compilerVersion: string; diagnostics?: Diagnostic[] }
  | { ok: false; errors: string[]; compilerVersion: string; diagnostics?: Diagnostic[] };

/** What to compile; `timeoutMs` overrides the pool default for this call. */
export interface CompileInput {
  source: string;
  fileName?: string;
  contractName?: string;
  timeoutMs?: number;
}

/** Pool limits; every field is optional. */
export interface CompilerPoolOptions {
  size?: number;
  timeoutMs?: number;
  maxSourceBytes?: number;
  maxQueue?: number;
}

/** Counters for observability and tests; `peakBusy` is the high-water mark of busy workers. */
export interface CompilerPoolStats {
  size: number; workers: number; ready: number; busy: number; queued: number;
  peakBusy: number; completed: number; timedOut: number; crashed: number;
}

/** The input was refused before reaching a compiler (the caller's fault; not a FAILED compilation). */
export class CompileInputError extends Error {
  override readonly name = 'CompileInputError';
  constructor(readonly reason: 'SOURCE_TOO_LARGE' | 'INVALID_INPUT', message: string) { super(message); }
}

/** The pool could not take or finish the job (retryable; the compilation should stay PENDING). */
export class CompilerPoolError extends Error {
  override readonly name = 'CompilerPoolError';
  constructor(readonly reason: 'QUEUE_FULL' | 'CLOSED' | 'STARTUP_FAILED', message: string) { super(message); }
}

interface Job {
  id: number; input: string; source: string; fileName: string; contractName?: string; timeoutMs: number;
  resolve(result: CompileResult): void; reject(err: Error): void; timer?: NodeJS.Timeout; startedAt?: number;
}

interface Slot {
  worker: Worker; ready: boolean; job?: Job; versionBuffer: SharedArrayBuffer;
  whenReady: Promise<void>; markReady(): void; markFailed(err: Error): void; startupTimer: NodeJS.Timeout;
}

const STARTUP_TIMEOUT_MS = 60_000; // solc's load takes ~0.4 s here; this only catches a wedged thread
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout clamps larger values to 1 ms
const CONTRACT_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-/]{0,199}$/;

let solcPath: string | undefined;

function positiveInt(value: number | undefined, fallback: number, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${what} must be an integer in 1..${max}, got ${value}`);
  return value;
}

/** Compiles Solidity on at most `size` warm worker threads, queueing the rest. */
export class CompilerPool {
  readonly size: number;
  readonly timeoutMs: number;
  readonly maxSourceBytes: number;
  readonly maxQueue: number;
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private closed = false;
  private nextId = 1;
  private version: string | undefined;
  private counters = { peakBusy: 0, completed: 0, timedOut: 0, crashed: 0 };

  constructor(opts: CompilerPoolOptions = {}) {
    const cpus = os.availableParallelism();
    this.size = Math.min(positiveInt(opts.size, cpus, 'size'), cpus);
    this.timeoutMs = positiveInt(opts.timeoutMs, 20_000, 'timeoutMs', MAX_TIMER_MS);
    this.maxSourceBytes = positiveInt(opts.maxSourceBytes, 256 * 1024, 'maxSourceBytes');
    this.maxQueue = positiveInt(opts.maxQueue, 1000, 'maxQueue');
  }

  /** solc.version() of the pooled compiler; the first read before any worker loaded blocks until one has. */
  get compilerVersion(): string {
    if (this.version) return this.version;
    if (this.closed) throw new CompilerPoolError('CLOSED', 'compiler pool is closed');
    // Synchronous by contract, yet solc must not load on the gateway thread (~100 MB, ~0.4 s):
    // wait on the SharedArrayBuffer the (reusable) worker writes its version into.
    const slot = this.slots[0] ?? this.spawn();
    const length = new Int32Array(slot.versionBuffer, 0, 1);
    Atomics.wait(length, 0, 0, STARTUP_TIMEOUT_MS);
    const n = Atomics.load(length, 0);
    if (n <= 0) throw new CompilerPoolError('STARTUP_FAILED', 'compiler worker failed to load solc');
    this.version = Buffer.from(new Uint8Array(slot.versionBuffer, 4, n)).toString('utf8');
    return this.version;
  }

  /** solc.version() once a worker has loaded, without waiting for one (undefined before). */
  get loadedVersion(): string | undefined {
    return this.version;
  }

  /** Number of workers currently compiling. */
  get busy(): number {
    return this.slots.filter((s) => s.job).length;
  }

  /** Snapshot of pool counters. */
  stats(): CompilerPoolStats {
    return {
      size: this.size, workers: this.slots.length, ready: this.slots.filter((s) => s.ready).length,
      busy: this.busy, queued: this.queue.length, ...this.counters,
    };
  }

  /** Starts all `size` workers and resolves with the compiler version once they have loaded solc. */
  async warmup(): Promise<string> {
    if (this.closed) throw new CompilerPoolError('CLOSED', 'compiler pool is closed');
    while (this.slots.length < this.size) this.spawn();
    await Promise.all(this.slots.map((s) => s.whenReady));
    return this.compilerVersion;
  }

  /** Compiles one source unit; rejects only for refused input or pool trouble, never for bad Solidity. */
  async compile(input: CompileInput): Promise<CompileResult> {
    if (this.closed) throw new CompilerPoolError('CLOSED', 'compiler pool is closed');
    const { source, fileName = DEFAULT_FILE_NAME, contractName, timeoutMs: callTimeout } = input ?? {};
    if (typeof source !== 'string' || source.trim() === '') {
      throw new CompileInputError('INVALID_INPUT', 'source must be a non-empty string');
    }
    // Checked here, before JSON-encoding and copying the source into a worker.
    const bytes = Buffer.byteLength(source, 'utf8');
    if (bytes > this.maxSourceBytes) {
      throw new CompileInputError('SOURCE_TOO_LARGE', `source is ${bytes} bytes; the limit is ${this.maxSourceBytes} bytes`);
    }
    if (typeof fileName !== 'string' || !FILE_NAME.test(fileName) || fileName.includes('..')) {
      throw new CompileInputError('INVALID_INPUT', `fileName must be a relative path like ${DEFAULT_FILE_NAME}`);
    }
    if (contractName !== undefined && (typeof contractName !== 'string' || !CONTRACT_NAME.test(contractName))) {
      throw new CompileInputError('INVALID_INPUT', 'contractName must be a Solidity identifier');
    }
    let timeoutMs: number;
    try {
      timeoutMs = positiveInt(callTimeout, this.timeoutMs, 'timeoutMs', MAX_TIMER_MS);
    } catch (err) {
      throw new CompileInputError('INVALID_INPUT', (err as Error).message);
    }
    if (this.queue.length >= this.maxQueue) {
      throw new CompilerPoolError('QUEUE_FULL', `compiler queue is full (${this.maxQueue} waiting); retry later`);
    }
    const job = JSON.stringify(buildStandardInput(source, fileName));
    return traced('solc.compile', { 'solidity.file': fileName }, () => new Promise<CompileResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input: job, source, fileName, contractName, timeoutMs, resolve, reject });
      this.pump();
    }));
  }

  /** Terminates every worker; queued and running jobs reject with CompilerPoolError('CLOSED'). */
  async close(): Promise<void> {
    this.closed = true;
    const error = new CompilerPoolError('CLOSED', 'compiler pool closed before the compilation finished');
    for (const job of this.queue.splice(0)) job.reject(error);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      clearTimeout(slot.startupTimer);
      if (slot.job) { clearTimeout(slot.job.timer); slot.job.reject(error); slot.job = undefined; }
      slot.markFailed(error);
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (slot.ready && !slot.job) this.dispatch(slot, this.queue.shift()!);
    }
    // Spawn lazily: only for work that no idle or still-loading worker will pick up.
    let loading = this.slots.filter((s) => !s.ready).length;
    while (this.queue.length > loading && this.slots.length < this.size) { this.spawn(); loading++; }
  }

  private dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref(); // a pending compile keeps the process alive; idle workers do not
    // The clock starts once a loaded worker has the job: neither queueing nor solc's cold load
    // counts, so a short timeout cannot make every fresh replacement worker time out in turn.
    job.timer = setTimeout(() => this.onTimeout(slot, job), job.timeoutMs);
    job.startedAt = performance.now();
    this.counters.peakBusy = Math.max(this.counters.peakBusy, this.busy);
    slot.worker.postMessage({ id: job.id, input: job.input } satisfies WorkerJob);
  }

  private finish(slot: Slot, job: Job, result: CompileResult, outcome: 'timeout' | 'crashed' | null = null): void {
    clearTimeout(job.timer);
    if (slot.job === job) { slot.job = undefined; slot.worker.unref(); }
    this.counters.completed++;
    if (job.startedAt !== undefined) {
      compilationDuration.observe({ outcome: outcome ?? (result.ok ? 'ok' : 'failed') }, (performance.now() - job.startedAt) / 1000);
    }
    job.resolve(result);
  }

  private spawn(): Slot {
    solcPath ??= require.resolve('solc');
    const versionBuffer = new SharedArrayBuffer(VERSION_BUFFER_BYTES);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { solcPath, versionBuffer } satisfies WorkerInit,
      execArgv: [], // the parent's loader flags (vitest, tsx, …) are irrelevant to plain CJS + solc
    });
    let markReady!: () => void;
    let markFailed!: (err: Error) => void;
    const whenReady = new Promise<void>((res, rej) => { markReady = res; markFailed = rej; });
    whenReady.catch(() => undefined); // observed by warmup() only when it is called
    const slot: Slot = {
      worker, ready: false, versionBuffer, whenReady, markReady, markFailed,
      startupTimer: setTimeout(() => this.onExit(slot, new Error(`solc did not load within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS),
    };
    slot.startupTimer.unref();
    worker.on('message', (msg: WorkerReply) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onExit(slot, err));
    worker.on('exit', (code) => this.onExit(slot, new Error(`worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, msg: WorkerReply): void {
    if (!this.slots.includes(slot)) return; // retired (timed out / closed); late replies are void
    if (msg.type === 'ready') {
      slot.ready = true;
      this.version ??= msg.version;
      clearTimeout(slot.startupTimer);
      slot.worker.unref();
      slot.markReady();
      this.pump();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    const version = this.version ?? 'unknown';
    let result: CompileResult;
    if (msg.type === 'failure') {
      result = { ok: false, errors: [`compiler failed: ${msg.message}`], compilerVersion: version };
    } else {
      try {
        result = interpretOutput(msg.output, msg.declarations, job.fileName, job.contractName, version);
        result.diagnostics = diagnosticsOf(msg.output, job.source, job.fileName);
      } catch (err) {
        result = { ok: false, errors: [`unreadable compiler output: ${(err as Error).message}`], compilerVersion: version };
      }
    }
    this.finish(slot, job, result);
    this.pump();
  }

  private onTimeout(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    this.counters.timedOut++;
    // solc cannot be interrupted mid-compile; the only way to reclaim the thread is to kill it.
    this.retire(slot);
    this.finish(slot, job, { ok: false, errors: [`compilation timed out after ${job.timeoutMs} ms`], compilerVersion: this.version ?? 'unknown' }, 'timeout');
    this.replace();
  }

  private onExit(slot: Slot, err: Error): void {
    if (!this.slots.includes(slot)) return; // 'error' is followed by 'exit'; handle once
    this.retire(slot);
    slot.markFailed(err);
    if (slot.job) {
      this.counters.crashed++;
      this.finish(slot, slot.job, { ok: false, errors: [`compiler worker crashed: ${err.message}`], compilerVersion: this.version ?? 'unknown' }, 'crashed');
      this.replace();
    } else if (!slot.ready && !this.slots.some((s) => s.ready)) {
      // solc will not load and no worker has it: fail waiting jobs rather than respawn in a loop.
      const failure = new CompilerPoolError('STARTUP_FAILED', `compiler worker failed to start: ${err.message}`);
      for (const job of this.queue.splice(0)) job.reject(failure);
    } else {
      this.pump();
    }
  }

  private retire(slot: Slot): void {
    clearTimeout(slot.startupTimer);
    this.slots = this.slots.filter((s) => s !== slot);
    void slot.worker.terminate().catch(() => undefined);
  }

  private replace(): void {
    // Keep the pool warm: a killed worker's successor starts loading solc right away.
    if (!this.closed && this.slots.length < this.size) this.spawn();
    this.pump();
  }
}
