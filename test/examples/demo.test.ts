// `npm run demo` against a running gateway: the trade-settlement consortium, through the API.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsortiumDocument, createGatewayClient, MyConsortiaDocument, PendingInvitationsDocument } from '../../client/src';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../support/gateway';

const program = resolve(__dirname, '../../dist/examples/demo/index.js');

function runDemo(url: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [program], {
    env: { ...process.env, NODE_ENV: 'test', GATEWAY_URL: url, JWT_SECRET: TEST_JWT_SECRET, CA_KEY_SECRET: 'x'.repeat(32) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((ok) => child.once('exit', (code) => ok({ code, out, err })));
}

describe('npm run demo', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    expect(existsSync(program), `${program} is built by npm run build`).toBe(true);
    gw = await startTestGateway();
  });
  afterAll(() => gw?.stop());

  it('builds the trade-settlement consortium and prints a working token per persona', async () => {
    const run = await runDemo(gw.url);
    expect(run.code, run.err).toBe(0);
    const tokens = [...run.out.matchAll(/^(ey[\w-]+\.[\w-]+\.[\w-]+)$/gm)].map((m) => m[1]);
    expect(tokens).toHaveLength(8);

    const bank = createGatewayClient({ url: gw.url, getToken: () => tokens[0] });
    const { consortia } = await bank.request(MyConsortiaDocument, {});
    const settlement = consortia.nodes.find((c) => c.name === 'Trade Settlement')!;
    expect(settlement.myMemberships.map((m) => m.displayName).sort()).toEqual(['Northwind — Commodities', 'Northwind — Currencies', 'Northwind — Equities']);
    const { consortium } = await bank.request(ConsortiumDocument, { id: settlement.id });
    const partners = consortium.memberships.nodes.filter((m) => !m.displayName.startsWith('Northwind'));
    expect(partners.map((m) => [...m.permissions].sort().join('+')).sort()).toEqual(
      ['CREATE_SIGNERS', 'CREATE_SIGNERS+INVITE_ORGANIZATIONS+MANAGE_ENVIRONMENTS+MULTIPLE_MEMBERSHIPS', 'INVITE_ORGANIZATIONS', 'MANAGE_ENVIRONMENTS', 'MULTIPLE_MEMBERSHIPS'].map((s) =>
        s.split('+').sort().join('+'),
      ).sort(),
    );
    const insurer = createGatewayClient({ url: gw.url, getToken: () => tokens[6] });
    const { pendingInvitations } = await insurer.request(PendingInvitationsDocument, {});
    expect(pendingInvitations.nodes.map((i) => i.consortium.name)).toEqual(['Trade Settlement']);

    const again = await runDemo(gw.url);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already|fresh database/);
  });
});
