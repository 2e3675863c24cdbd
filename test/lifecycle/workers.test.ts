import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { alive, freePort, spawnGateway, type GatewayProcess } from '../support/process';

// WORKERS=2: two gateway processes share the port behind one primary that owns the embedded
// PostgreSQL; everything is seen through the public API, as a user runs `npm start`.
const root = resolve(__dirname, '../..');
const dataDir = resolve(root, `.data/workers-${randomBytes(4).toString('hex')}`);
mkdirSync(dataDir, { recursive: true });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The processes whose parent is `pid` (the primary's workers and its database). */
function childrenOf(pid: number): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Started, and every worker ready (the primary says so once all of them listen). */
async function start(env: Record<string, string>): Promise<GatewayProcess> {
  const gw = await spawnGateway(env);
  const deadline = Date.now() + 90_000;
  while (!/gateway ready at/.test(gw.output())) {
    if (gw.child.exitCode !== null) throw new Error(`gateway exited early:\n${gw.output()}`);
    if (Date.now() > deadline) throw new Error(`gateway not ready in time:\n${gw.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return gw;
}

/** One POST on its own connection (no keep-alive), so that successive ones spread over the workers. */
async function post<T>(port: number, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, connection: 'close' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data!;
}

/** A graphql-ws connection on a TCP connection of its own: acknowledged, or closed with a code. */
function connectRaw(port: number, token: string): Promise<{ socket: WebSocket; acked: boolean; closeCode?: number }> {
  return new Promise((ok, fail) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') ok({ socket, acked: true });
    });
    socket.once('close', (closeCode) => ok({ socket, acked: false, closeCode }));
    socket.once('error', fail);
  });
}

describe('WORKERS=2 behind one port', { timeout: 180_000 }, () => {
  it('starts two workers on one database; a subscription on one socket sees mutations sent on other connections; SIGTERM drains both', async () => {
    const env = { DATA_DIR: dataDir, NODE_ENV: 'development', WORKERS: '2', EMBEDDED_PG_PORT: String(await freePort()), MAX_SOCKETS_PER_USER: '2' };
    const gw = await start(env);
    const primary = gw.child.pid!;
    const workers = childrenOf(primary).filter((c) => c.command.includes('main.js'));
    expect(workers).toHaveLength(2);
    expect(gw.output()).toMatch(/gateway ready at \S+ with 2 workers/);
    // Migrations ran once, in the primary.
    expect(gw.output().match(/database migrated/g)).toHaveLength(1);

    const tokenFor = (email: string) =>
      execFileSync(process.execPath, [resolve(root, 'dist/src/cli/token.js'), email], {
        cwd: root,
        env: { PATH: process.env.PATH!, DATA_DIR: dataDir, NODE_ENV: 'development' },
      })
        .toString()
        .trim();
    const token = tokenFor(`workers-${randomBytes(3).toString('hex')}@example.test`);

    // Sockets per user count across both workers: of six connections, dealt to the workers in
    // turn, exactly MAX_SOCKETS_PER_USER=2 are acknowledged (a count per worker would take four).
    const busy = tokenFor(`sockets-${randomBytes(3).toString('hex')}@example.test`);
    const attempts = await Promise.all(Array.from({ length: 6 }, () => connectRaw(gw.port, busy)));
    const acked = attempts.filter((a) => a.acked);
    expect(acked).toHaveLength(2);
    expect(attempts.filter((a) => a.closeCode === 4429)).toHaveLength(4);
    // A seat given back is free again, on whichever worker the next connection lands.
    acked[0]!.socket.close();
    await expect.poll(async () => {
      const next = await connectRaw(gw.port, busy);
      next.socket.close();
      return next.acked;
    }, { timeout: 10_000 }).toBe(true);
    acked[1]!.socket.close();
    await post(gw.port, token, 'mutation { createOrganization(input: { name: "Workers Org" }) { id } }');
    const { createConsortium } = await post<{ createConsortium: { id: string } }>(
      gw.port,
      token,
      'mutation { createConsortium(input: { name: "Workers" }) { id } }',
    );

    // The subscription replays from the start and then streams live, so it sees every change
    // once, whichever worker holds its socket and whichever worker makes the change.
    const names = ['one', 'two', 'three', 'four'].map((n) => `Workers ${n}`);
    const client = createClient({
      url: `ws://127.0.0.1:${gw.port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const seen: string[] = [];
    const done = new Promise<void>((ok, fail) => {
      client.subscribe<{ consortiumEvents: { kind: string; payload: { name?: { to: string | null } | null } } }>(
        {
          query: 'subscription ($id: ID!) { consortiumEvents(consortiumId: $id, after: 0) { kind payload { ... on ConsortiumUpdatedPayload { name { to } } } } }',
          variables: { id: createConsortium.id },
        },
        {
          next: ({ data, errors }) => {
            if (errors) return fail(new Error(JSON.stringify(errors)));
            const event = data!.consortiumEvents;
            if (event.kind === 'CONSORTIUM_UPDATED') seen.push(event.payload.name?.to ?? '');
            if (seen.length === names.length) ok();
          },
          error: fail,
          complete: () => fail(new Error('the subscription completed')),
        },
      );
    });
    // Each mutation on a connection of its own: the primary deals connections to the workers in turn.
    for (const name of names) {
      await post(gw.port, token, 'mutation ($id: ID!, $name: String!) { updateConsortium(id: $id, input: { name: $name }) { id } }', {
        id: createConsortium.id,
        name,
      });
    }
    await done;
    expect(seen).toEqual(names);
    await client.dispose();

    // SIGTERM: requests in flight on both workers are answered, both drain, then the primary
    // stops the database and exits 0.
    const postmaster = Number(readFileSync(resolve(dataDir, 'pg/postmaster.pid'), 'utf8').split('\n')[0]);
    expect(alive(postmaster)).toBe(true);
    // Two clients keep sending until the server refuses them: every answer is a result or a 503
    // (never an error of the gateway), and a connection is refused only once it drained.
    const answers: number[][] = [[], []];
    let stopping = false;
    const once = (agent: Agent) =>
      new Promise<number | null>((ok) => {
        const body = JSON.stringify({ query: '{ me { email } }' });
        const req = request(
          `http://127.0.0.1:${gw.port}/graphql`,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on('end', () => ok(res.statusCode ?? 0));
          },
        );
        req.on('error', () => ok(null));
        req.end(body);
      });
    const loops = answers.map(async (mine) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (;;) {
          const status = await once(agent);
          if (status === null) return; // refused: the server no longer accepts
          mine.push(status);
          if (status !== 200 || (stopping && mine.length > 200)) return;
        }
      } finally {
        agent.destroy();
      }
    });
    while (answers.some((a) => a.length < 3)) await new Promise((r) => setTimeout(r, 20));
    stopping = true;
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
    await Promise.all(loops);
    for (const mine of answers) for (const status of mine) expect([200, 503]).toContain(status);
    for (const w of workers) expect(alive(w.pid)).toBe(false);
    expect(alive(postmaster)).toBe(false);
    expect(existsSync(resolve(dataDir, 'pg/postmaster.pid'))).toBe(false);
    for (const w of workers) expect(gw.output()).toContain(`"pid":${w.pid},"msg":"draining requests and sockets, then stopping"`);
  });

  it('a worker that cannot start fails the start with its message; WORKERS=1 is one process', async () => {
    const busy = createServer();
    const port = await new Promise<number>((ok) => busy.listen(0, '0.0.0.0', () => ok((busy.address() as { port: number }).port)));
    try {
      const failing = await spawnGateway({ DATA_DIR: dataDir, NODE_ENV: 'development', WORKERS: '2', EMBEDDED_PG_PORT: String(await freePort()) }, port);
      const code = await failing.exited;
      const output = failing.output();
      expect(code, output).toBe(1);
      expect(output).toContain(`port ${port} is already in use`);
      // The database the primary started is stopped again.
      expect(existsSync(resolve(dataDir, 'pg/postmaster.pid'))).toBe(false);
    } finally {
      busy.close();
    }

    const single = await start({ DATA_DIR: dataDir, NODE_ENV: 'development', WORKERS: '1', EMBEDDED_PG_PORT: String(await freePort()) });
    expect(childrenOf(single.child.pid!).filter((c) => c.command.includes('main.js'))).toHaveLength(0);
    expect(single.output()).not.toMatch(/with \d+ workers/);
    single.child.kill('SIGTERM');
    expect(await single.exited).toBe(0);
  });
});
