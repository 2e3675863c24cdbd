import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** A TCP port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer()
      .once('error', fail)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => ok(port));
      });
  });
}

/** Whether a process with this pid is running (signal 0 delivers nothing). */
export function alive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A gateway started as `npm start` runs it (the compiled dist/src/main.js), in a process of its own. */
export interface GatewayProcess {
  child: ChildProcess;
  port: number;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
  exited: Promise<number | null>;
}

const root = resolve(__dirname, '../..');

/** Spawns the compiled gateway on `port` (a free one by default) with only `env` and PATH/HOME/PORT set. */
export async function spawnGateway(env: Record<string, string>, port?: number): Promise<GatewayProcess> {
  const listenOn = port ?? (await freePort());
  let output = '';
  const child = spawn(process.execPath, [resolve(root, 'dist/src/main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', PORT: String(listenOn), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, port: listenOn, output: () => output, exited };
}

/** Waits until the gateway answers /readyz; fails with its output when it exits or takes too long. */
export async function untilReady(gw: GatewayProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gw.child.exitCode !== null) throw new Error(`gateway exited early:\n${gw.output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${gw.port}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gateway not ready in time:\n${gw.output()}`);
}
