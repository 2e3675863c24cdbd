// examples/partner-subscriber as a partner runs it: a child process with client credentials of a
// registered service account, against a gateway that restarts twice while another instance keeps
// emitting events. The partner's identity provider is played by this process: an OAuth 2.0 token
// endpoint issuing RS256 client-credentials tokens (the client id in `sub`, no email) and its JWKS.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { RegisterServiceAccountDocument, SuspendServiceAccountDocument } from '../generated/graphql';
import { GraphQLClient } from '../support/client';
import { consortiumWithMember, storedSequences, touchConsortium } from '../support/factories/event';
import { startTestGateway, type TestGateway } from '../support/gateway';

const program = resolve(__dirname, '../../dist/examples/partner-subscriber/index.js');
const CLIENT_SECRET = 'client-secret-of-the-partner';
const ISSUER = 'https://idp.partner.test/';
const AUDIENCE = 'governance';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let idpKey: PrivateKey;
let jwks: Server;
let jwksUrl: string;

/** A token of the identity provider, signed with `key` (its own unless a stranger's is given). */
function providerToken(sub: string, claims: Record<string, unknown>, key: PrivateKey = idpKey): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}

/** The identity provider's keys, served as a JWKS for the gateways' JWKS_URL. */
async function serveJwks(): Promise<void> {
  const pair = await generateKeyPair('RS256');
  idpKey = pair.privateKey;
  const key = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key] })));
  await new Promise<void>((ok) => jwks.listen(0, '127.0.0.1', ok));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
}

const PROVIDER = { JWT_SECRET: '', JWKS_URL: '', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
const provider = () => ({ ...PROVIDER, JWKS_URL: jwksUrl });

/**
 * The provider's OAuth 2.0 token endpoint (client-credentials grant, RFC 6749 §4.4): for the
 * right client id and secret, an access token whose `sub` is the client id and with no email.
 */
function tokenEndpoint(clientId: string, key?: PrivateKey): Promise<{ server: Server; url: string; issued: () => number }> {
  let issued = 0;
  const server = createServer((req, res) => {
    const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':')
      .map(decodeURIComponent);
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const form = req.headers['content-type'] === 'application/x-www-form-urlencoded';
      if (req.method !== 'POST' || !form || id !== clientId || secret !== CLIENT_SECRET || new URLSearchParams(body).get('grant_type') !== 'client_credentials') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      issued++;
      const token = await providerToken(clientId, { azp: clientId }, key);
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
    ...provider(),
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
    await serveJwks();
    const base = await startTestGateway(provider());
    // The factories sign people in through gw.as: here with the provider's tokens (sub and email).
    const person = (email: string) => providerToken(`idp|${email}`, { email });
    other = { ...base, as: (email) => new GraphQLClient(base.url, () => person(email)), tokenFor: (email) => person(email) };
    dir = mkdtempSync(join(tmpdir(), 'partner-subscriber-'));
  });
  afterAll(async () => {
    await other?.stop();
    await new Promise((ok) => jwks?.close(ok));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The partner's OWNER registers its program's client id as a service account (a MEMBER). */
  async function registered(owner: GraphQLClient): Promise<{ clientId: string; id: string }> {
    const clientId = `partner-subscriber-${randomUUID()}`;
    const { registerServiceAccount } = await owner.ok(RegisterServiceAccountDocument, {
      input: { clientId, name: 'Partner subscriber', accountRole: 'MEMBER' },
    });
    return { clientId, id: registerServiceAccount.id };
  }

  it('prints every event exactly once, in order, across two gateway restarts, with a fresh token per connection', async () => {
    const { admin, consortium, member } = await consortiumWithMember(other);
    const { clientId: CLIENT_ID } = await registered(member.owner.client);
    const idp = await tokenEndpoint(CLIENT_ID);
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
    let againIdp: Awaited<ReturnType<typeof tokenEndpoint>> | undefined;
    const again = run({
      GATEWAY_URL: other.url, TOKEN_URL: (againIdp = await tokenEndpoint(CLIENT_ID)).url, CLIENT_ID, CLIENT_SECRET, CONSORTIUM_ID: consortium.id, STATE_FILE: stateFile,
    });
    await emit(1);
    const last = (await storedSequences(consortium.id)).at(-1)!;
    await expect.poll(() => printedSequences(again.lines), { timeout: 20_000 }).toEqual([last]);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    againIdp?.server.close();
    // Two restarts with the partner's back-off between attempts: on a loaded machine the whole run
    // takes longer than the default 30 s, while each wait above keeps its own bound.
  }, 120_000);

  it('stops with a clear message (4403) once its service account is suspended, after it ends the open subscription', async () => {
    const { admin, consortium, member } = await consortiumWithMember(other);
    const account = await registered(member.owner.client);
    const idp = await tokenEndpoint(account.clientId);
    // It resumes after the log's last event, so what follows is printed whenever it connects.
    const stateFile = join(dir, 'suspended.state');
    writeFileSync(stateFile, `${(await storedSequences(consortium.id)).at(-1)}\n`);
    try {
      const partner = run({
        GATEWAY_URL: other.url, TOKEN_URL: idp.url, CLIENT_ID: account.clientId, CLIENT_SECRET, CONSORTIUM_ID: consortium.id, STATE_FILE: stateFile,
      });
      try {
        await touchConsortium(admin.owner.client, consortium.id);
        await expect.poll(() => printedSequences(partner.lines).length, { timeout: 20_000 }).toBe(1);
        await member.owner.client.ok(SuspendServiceAccountDocument, { id: account.id });
        // The next event batch ends its subscription (UNAUTHENTICATED); connecting again, it is refused with 4403.
        await touchConsortium(admin.owner.client, consortium.id);
        expect(await partner.exited).toBe(2);
      } finally {
        partner.child.kill('SIGTERM');
      }
      expect(partner.stderr()).toMatch(/refused our credential \(4403\)/);
      expect(printedSequences(partner.lines)).toHaveLength(1);
    } finally {
      idp.server.close();
    }
  });

  it('stops with a clear message (4403) when its client id is not registered, or its tokens are not the trusted provider’s', async () => {
    const stranger = (await generateKeyPair('RS256')).privateKey;
    for (const [clientId, key] of [[`unregistered-${randomUUID()}`, undefined], [`forged-${randomUUID()}`, stranger]] as const) {
      const idp = await tokenEndpoint(clientId, key);
      try {
        const partner = run({ GATEWAY_URL: other.url, TOKEN_URL: idp.url, CLIENT_ID: clientId, CLIENT_SECRET, STATE_FILE: join(dir, `${clientId}.state`) });
        expect(await partner.exited).toBe(2);
        expect(partner.stderr()).toMatch(/refused our credential \(4403\)/);
        expect(partner.lines).toEqual([]);
        expect(idp.issued()).toBeGreaterThanOrEqual(1);
      } finally {
        idp.server.close();
      }
    }
  });
});
