import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { ConsortiumEventsDocument, CreateOrganizationDocument, UpdateConsortiumDocument } from '../generated/graphql';
import { createTestConsortium } from '../support/factories/consortium';
import { consortiumWithMember } from '../support/factories/event';
import { addUser, createOrganization } from '../support/factories/organization';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';
import { subscribe } from '../support/ws';

/** Every JSON line the gateway logs, kept in memory. */
const lines: Record<string, unknown>[] = [];
const raw: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      raw.push(line);
      lines.push(JSON.parse(line));
    }
    done();
  },
});

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({}, { log: pino({ level: 'info' }, sink) });
});
afterAll(() => gw?.stop());

const accessLines = (event: string) => lines.filter((l) => l.component === 'access' && l.event === event);

/** Waits until `n` access lines of `event` exist after `from` (a socket's close is logged asynchronously). */
async function linesOf(event: string, from: number, n: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 200; i++) {
    const found = lines.slice(from).filter((l) => l.component === 'access' && l.event === event);
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`fewer than ${n} '${event}' lines`);
}

describe('access log', () => {
  it('writes one line per operation: request id, user, organization, name, type, duration, code, cost', async () => {
    const email = uniqueEmail('access');
    const token = await gw.tokenFor(email);
    const secretName = `Secret Org ${Date.now()}`;
    const from = lines.length;
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(CreateOrganizationDocument), variables: { input: { name: secretName } } }),
    });
    const body = (await response.json()) as { data: { createOrganization: { id: string } } };
    const requestId = response.headers.get('x-request-id');

    const [line, ...more] = await linesOf('operation', from, 1);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 30,
      transport: 'http',
      requestId,
      traceId: requestId,
      organizationId: body.data.createOrganization.id, // the caller's organization as the operation left it
      operationName: 'CreateOrganization',
      operationType: 'mutation',
      code: 'OK',
    });
    expect(line.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof line.durationMs).toBe('number');
    expect(line.cost).toBeGreaterThan(0);
    expect(body.data.createOrganization.id).toBeTruthy();

    // No token, no variable values, no personal data anywhere in what was logged.
    const logged = raw.slice(from).join('\n');
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(secretName);
    expect(logged).not.toContain(email);
  });

  it('logs a refusal with its code and the caller’s organization', async () => {
    const org = await createOrganization(gw);
    const c = await createTestConsortium(org.owner);
    const member = await addUser(gw, org, 'MEMBER');
    const from = lines.length;
    await member.client.fails('FORBIDDEN', UpdateConsortiumDocument, { id: c.id, input: { description: 'x' } });
    const [line] = await linesOf('operation', from, 1);
    expect(line).toMatchObject({ userId: member.id, organizationId: org.id, operationName: 'UpdateConsortium', code: 'FORBIDDEN' });
  });

  it('logs a request refused before any operation ran (a bad token) once, with its code', async () => {
    const from = lines.length;
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(401);
    const [line, ...more] = await linesOf('operation', from, 1);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ code: 'UNAUTHENTICATED', userId: null, requestId: response.headers.get('x-request-id') });
  });

  it('logs each WebSocket connect and close with its close code, and the subscription as one operation', async () => {
    const { consortium, member } = await consortiumWithMember(gw);
    const token = await gw.tokenFor(member.owner.email);
    const from = lines.length;
    const sub = await subscribe(gw, token, ConsortiumEventsDocument, { consortiumId: consortium.id });
    await sub.close();
    const [connect] = await linesOf('ws.connect', from, 1);
    const [close] = await linesOf('ws.close', from, 1);
    const [operation] = await linesOf('operation', from, 1);
    expect(connect).toMatchObject({ accepted: true });
    expect(close).toMatchObject({ connectionId: connect.connectionId, code: 1000, userId: member.owner.id, operations: 1 });
    expect(operation).toMatchObject({
      transport: 'ws',
      operationName: 'ConsortiumEvents',
      operationType: 'subscription',
      code: 'OK',
      userId: member.owner.id,
      organizationId: member.id,
    });
    expect(operation.requestId).toBe(operation.traceId);
    expect(raw.slice(from).join('\n')).not.toContain(token);

    const refusedFrom = lines.length;
    const refused = await subscribe(gw, null, ConsortiumEventsDocument, { consortiumId: consortium.id }, { authorization: 'Bearer nope' });
    await refused.end();
    await refused.close();
    expect((await linesOf('ws.connect', refusedFrom, 1))[0]).toMatchObject({ accepted: false });
    expect((await linesOf('ws.close', refusedFrom, 1))[0]).toMatchObject({ code: 4403, userId: null, operations: 0 });
    expect(accessLines('operation').length).toBeGreaterThan(0);
  });
});
