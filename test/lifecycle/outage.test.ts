import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded';
import { createLogger } from '../../src/logger';
import { ConsortiumEventsDocument } from '../generated/graphql';
import { createTestConsortium } from '../support/factories/consortium';
import { touchConsortium } from '../support/factories/event';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { subscribe, type LiveSubscription } from '../support/ws';
import { codeOf, openSocket, type TestSocket } from '../support/ws-operation';
import { freePort } from '../support/process';

// A database of its own, stopped and started again inside the test (never the shared one).
const dataDir = join(resolve(__dirname, '../../.data'), `outage-${process.pid}`);
const log = createLogger('silent');
let port: number;
let db: EmbeddedDatabase;
let gw: TestGateway;
let org: TestOrganization;
let consortiumId: string;
let socket: TestSocket;
let events: LiveSubscription<unknown>;

beforeAll(async () => {
  port = await freePort();
  db = await startEmbeddedDatabase({ dataDir, port, database: 'outage', log });
  gw = await startTestGateway({ DATABASE_URL: db.url, RETRY_AFTER_SECONDS: '7' });
  org = await createOrganization(gw);
  consortiumId = (await createTestConsortium(org.owner)).id;
  socket = await openSocket(gw, await gw.tokenFor(org.owner.email));
  events = (await subscribe(gw, await gw.tokenFor(org.owner.email), ConsortiumEventsDocument, { consortiumId })) as LiveSubscription<unknown>;
}, 60_000);

afterAll(async () => {
  await events?.close();
  await socket?.dispose();
  await gw?.stop();
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function post(query: string, authorization?: string) {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() };
}

describe('a database outage', () => {
  it('is answered 503 over HTTP and per operation over WebSocket, and everything resumes when the database is back', async () => {
    await touchConsortium(org.owner.client, consortiumId);
    expect((await events.next()).data).toBeTruthy();

    await db.stop();
    const auth = `Bearer ${await gw.tokenFor(org.owner.email)}`;
    for (const [query, authorization] of [
      ['{ me { id } }', auth],
      ['{ __typename }', undefined],
      ['mutation { createOrganization(input: { name: "During outage", plan: STANDARD }) { id } }', auth],
    ] as const) {
      const answer = await post(query, authorization);
      expect(answer.status, answer.text).toBe(503);
      expect(answer.retryAfter).toBe('7');
      expect(JSON.parse(answer.text).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      // No address, port, driver or SQL text reaches the client.
      expect(answer.text).not.toContain(String(port));
      expect(answer.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|postgres|select|insert/i);
    }

    for (const query of ['{ __typename }', '{ me { id } }']) {
      const outcome = await socket.run(query);
      expect(codeOf(outcome), JSON.stringify(outcome)).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(outcome)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    }
    // The socket and its live subscription are still open.
    expect(socket.closed).toBeNull();
    await events.expectNothing(200);

    db = await startEmbeddedDatabase({ dataDir, port, database: 'outage', log });
    let back = await post('{ me { id } }', auth);
    for (let i = 0; i < 50 && back.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      back = await post('{ me { id } }', auth);
    }
    expect(back.status, back.text).toBe(200);
    const again = await socket.run('{ me { id } }');
    expect(again.kind, JSON.stringify(again)).toBe('result');
    await touchConsortium(org.owner.client, consortiumId);
    expect((await events.next(15_000)).data).toBeTruthy();
  }, 90_000);
});
