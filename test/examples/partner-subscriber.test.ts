// examples/partner-subscriber as a partner runs it: a child process with client credentials,
// against a gateway that restarts twice while another instance keeps emitting events.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startApp, type RunningApp } from '../../src/app';
import { signToken } from '../../src/auth/jwt';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { consortiumWithMember, storedSequences, touchConsortium } from '../support/factories/event';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../support/gateway';

const program = resolve(__dirname, '../../dist/examples/partner-subscriber/index.js');
const CLIENT_ID = 'partner-subscriber';
const CLIENT_SECRET = 'client-secret-of-the-partner';

/** A stand-in for the partner's identity provider: the OAuth 2.0 client-credentials grant. */
function tokenEndpoint(email: string, secret = TEST_JWT_SECRET): Promise<{ server: Server; url: string; issued: () => number }> {
  let issued = 0;
  const server = createServer((req, res) => {
    const [id, key] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      if (req.method !== 'POST' || id !== CLIENT_ID || key !== CLIENT_SECRET || new URLSearchParams(body).get('grant_type') !== 'client_credentials') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      issued++;
      const token = await signToken(secret, { sub: `test|${email}`, email }, { expiresIn: '5m' });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 300 }));
    });
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`, issued: () => issued })),
  );
}

/** A gateway on a fixed port, so that it can be stopped and started again at the same address. */
async function gatewayAt(port: number): Promise<RunningApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    JWT_SECRET: TEST_JWT_SECRET,
    CA_KEY_SECRET: 'test-ca-key-secret-0123456789abcdef',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_POOL_MAX: '3',
  });
  return startApp(config, createLogger(config.logLevel), { port, host: '127.0.0.1' });
}

interface Run {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [program], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, lines, stderr: () => err, exited };
}

const printedSequences = (lines: string[]) => lines.filter((l) => l.startsWith('EVENT ')).map((l) => Number(l.split(' ')[1]));

describe('examples/partner-subscriber', () => {
  let other: TestGateway;
  let dir: string;
  beforeAll(async () => {
    expect(existsSync(program), `${program} is built by npm run build`).toBe(true);
    other = await startTestGateway();
    dir = mkdtempSync(join(tmpdir(), 'partner-subscriber-'));
  });
  afterAll(async () => {
    await other?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints every event exactly once, in order, across two gateway restarts, with a fresh token per connection', async () => {
    const { admin, consortium, member } = await consortiumWithMember(other);
    const idp = await tokenEndpoint(member.owner.email);
    const before = await storedSequences(consortium.id);
    const stateFile = join(dir, 'restart.state');
    writeFileSync(stateFile, `${before.at(-1)}\n`);

    let gateway = await gatewayAt(0);
    const port = gateway.gateway.port;
    const partner = run({
      GATEWAY_URL: `http://127.0.0.1:${port}/graphql`,
      TOKEN_URL: idp.url,
      CLIENT_ID,
      CLIENT_SECRET,
      CONSORTIUM_ID: consortium.id,
      STATE_FILE: stateFile,
    });
    const emit = async (n: number) => {
      for (let i = 0; i < n; i++) await touchConsortium(admin.owner.client, consortium.id);
    };
    try {
      await emit(3);
      await expect.poll(() => printedSequences(partner.lines).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
      for (let restart = 0; restart < 2; restart++) {
        const stopping = gateway.stop();
        await emit(2); // committed through the other instance while this one goes away
        await stopping;
        await emit(2); // and while it is down
        gateway = await gatewayAt(port);
        await emit(2);
        // Reconnected to the restarted gateway: everything so far has been printed.
        const sofar = (await storedSequences(consortium.id)).filter((s) => s > before.at(-1)!).length;
        await expect.poll(() => printedSequences(partner.lines).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(sofar);
      }
      const expected = (await storedSequences(consortium.id)).filter((s) => s > before.at(-1)!);
      expect(expected).toHaveLength(3 + 2 * 6);
      await expect.poll(() => printedSequences(partner.lines).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(expected.length);
      expect(printedSequences(partner.lines)).toEqual(expected);
      expect(partner.lines.filter((l) => l.startsWith('EVENT ')).every((l) => l.includes('CONSORTIUM_UPDATED') && l.includes('renamed'))).toBe(true);
      expect(readFileSync(stateFile, 'utf8').trim()).toBe(String(expected.at(-1)));
      expect(idp.issued()).toBeGreaterThanOrEqual(3);
      expect(partner.stderr()).toMatch(/retrying in \d+ ms/);
    } finally {
      partner.child.kill('SIGTERM');
      await partner.exited;
      await gateway.stop();
      idp.server.close();
    }
    // Started again with its state file, it prints nothing twice.
    const again = run({
      GATEWAY_URL: other.url, TOKEN_URL: (await tokenEndpoint(member.owner.email)).url, CLIENT_ID, CLIENT_SECRET, CONSORTIUM_ID: consortium.id, STATE_FILE: stateFile,
    });
    await emit(1);
    const last = (await storedSequences(consortium.id)).at(-1)!;
    await expect.poll(() => printedSequences(again.lines), { timeout: 20_000 }).toEqual([last]);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('stops with a clear message when the gateway refuses its credential (4403)', async () => {
    const idp = await tokenEndpoint('someone@example.test', 'a-secret-the-gateway-does-not-know-at-all!');
    try {
      const partner = run({ GATEWAY_URL: other.url, TOKEN_URL: idp.url, CLIENT_ID, CLIENT_SECRET, STATE_FILE: join(dir, 'refused.state') });
      expect(await partner.exited).toBe(2);
      expect(partner.stderr()).toMatch(/refused our credential \(4403\)/);
      expect(partner.lines).toEqual([]);
    } finally {
      idp.server.close();
    }
  });
});
