import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../support/db';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { codeOf, openSocket } from '../support/ws-operation';

let gw: TestGateway;
let org: TestOrganization;
let token: string;
beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrganization(gw);
  token = await gw.tokenFor(org.owner.email);
});
afterAll(() => gw?.stop());

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

/** One POST on a keep-alive agent; rejects when the connection fails without an answer. */
function post(agent: Agent, body: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      gw.url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('shutdown', () => {
  it('answers every operation it started, refuses late ones with 503 and Connection: close, and commits nothing unanswered', async () => {
    const prefix = `Shutdown ${process.pid} ${Date.now()}`;
    const answered = new Set<string>();
    const refused: Answer[] = [];
    let stopping: Promise<void> | undefined;
    let sent = 0;

    const worker = async (w: number) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; ; i++) {
          const name = `${prefix} ${w}-${i}`;
          let answer: Answer;
          try {
            sent++;
            answer = await post(agent, {
              query: 'mutation ($name: String!) { createConsortium(input: { name: $name }) { id name } }',
              variables: { name },
            });
          } catch {
            return; // the server closed: no answer, so this mutation must not have committed
          }
          if (answer.status === 200) {
            const data = JSON.parse(answer.body).data;
            expect(data?.createConsortium?.name).toBe(name);
            answered.add(name);
          } else {
            refused.push(answer);
            return;
          }
          if (stopping && refused.length > 20) return;
        }
      } finally {
        agent.destroy();
      }
    };

    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    while (answered.size < 30) await new Promise((r) => setTimeout(r, 10));
    stopping = gw.stop();
    await Promise.all(workers);
    await stopping;

    expect(sent).toBeGreaterThan(answered.size);
    // Late requests on keep-alive connections: 503, told to close the connection.
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.connection).toBe('close');
      expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    }
    // Every committed mutation had its answer delivered.
    const committed = await sql<{ name: string }>('select name from consortium where name like ?', [`${prefix}%`]);
    const unanswered = committed.map((row) => row.name).filter((name) => !answered.has(name));
    expect(unanswered).toEqual([]);
    expect(committed.length).toBe(answered.size);
  }, 60_000);

  it('over WebSocket, answers the operations it started and refuses the late ones per operation; nothing commits unanswered', async () => {
    const own = await startTestGateway();
    const owner = await createOrganization(own);
    const socket = await openSocket(own, await own.tokenFor(owner.owner.email));
    const prefix = `WS shutdown ${process.pid} ${Date.now()}`;
    const mutation = (name: string) => socket.run('mutation ($name: String!) { createConsortium(input: { name: $name }) { id name } }', { name });
    const early = await mutation(`${prefix} early`);
    expect(early.kind).toBe('result');

    const names = Array.from({ length: 12 }, (_, i) => `${prefix} ${i}`);
    const outcomes = names.map((name, i) => (i === 6 ? own.stop().then(() => mutation(name)) : mutation(name)));
    const settled = await Promise.all(outcomes);
    const answered = new Set([`${prefix} early`]);
    settled.forEach((outcome, i) => {
      if (outcome.kind === 'result' && outcome.result.data) answered.add(names[i]);
      // Refused per operation while draining; or no connection at all once the gateway is gone.
      else if (outcome.kind !== 'closed') expect(codeOf(outcome)).toBe('SERVICE_UNAVAILABLE');
    });
    const committed = await sql<{ name: string }>('select name from consortium where name like ?', [`${prefix}%`]);
    expect(committed.map((row) => row.name).filter((name) => !answered.has(name))).toEqual([]);
    expect(committed.length).toBe(answered.size);
    await socket.dispose();
  }, 60_000);
});
