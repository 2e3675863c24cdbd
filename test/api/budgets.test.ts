import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';
import { openSocket } from '../support/ws-operation';

// Two instances on one database draw from one budget per caller.
let a: TestGateway;
let b: TestGateway;
beforeAll(async () => {
  const env = { RATE_BUDGET_PER_MINUTE: '40', AUTH_FAILURES_PER_MINUTE: '5' };
  [a, b] = await Promise.all([startTestGateway(env), startTestGateway(env)]);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

async function post(gw: TestGateway, query: string, authorization?: string) {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as {
    data?: Record<string, any>;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: { cost?: { requested: number; limit: number; remaining: number; resetAt: string } };
  };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

describe('cost budgets per caller', () => {
  it('spends each operation’s cost, shows what is left, and holds across instances', async () => {
    const auth = `Bearer ${await a.tokenFor(uniqueEmail('budget'))}`;
    const first = await post(a, '{ me { id } }', auth);
    expect(first.status).toBe(200);
    expect(first.body.extensions?.cost).toMatchObject({ requested: 2, limit: 40, remaining: 38 });
    // The other instance sees what the first one spent.
    const second = await post(b, '{ rateBudget { limit remaining resetAt } }', auth);
    expect(second.body.errors).toBeUndefined();
    // What is left after this operation too: 38 less its own cost.
    const spent = second.body.extensions!.cost!.requested;
    expect(spent).toBeGreaterThan(0);
    expect(second.body.data?.rateBudget).toMatchObject({ limit: 40, remaining: 38 - spent });
    expect(Date.parse(second.body.data?.rateBudget.resetAt)).toBeGreaterThan(Date.now());
  });

  it('answers 429 RATE_LIMITED with Retry-After once the budget is spent, on every instance, and closes a socket with 4429', async () => {
    const email = uniqueEmail('spender');
    const auth = `Bearer ${await a.tokenFor(email)}`;
    const socket = await openSocket(b, await b.tokenFor(email));
    let last;
    for (let i = 0; i < 25; i++) {
      last = await post(i % 2 ? a : b, '{ me { id } }', auth);
      if (last.status !== 200) break;
    }
    expect(last!.status).toBe(429);
    expect(last!.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(last!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(last!.retryAfter)).toBeLessThanOrEqual(60);
    expect((await post(a, '{ me { id } }', auth)).status).toBe(429);
    expect((await post(b, '{ me { id } }', auth)).status).toBe(429);

    const outcome = await socket.run('{ me { id } }');
    expect(outcome.kind).not.toBe('result');
    expect((await socket.waitClosed()).code).toBe(4429);
    await socket.dispose();

    // Another caller is not affected.
    expect((await post(a, '{ me { id } }', `Bearer ${await a.tokenFor(uniqueEmail('other'))}`)).status).toBe(200);
  });

  it('throttles failed authentications per client address', async () => {
    let last;
    for (let i = 0; i < 12; i++) {
      last = await post(a, '{ me { id } }', `Bearer forged.${i}.token`);
      if (last.status === 429) break;
      expect(last.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(last!.status).toBe(429);
    expect(last!.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(Number(last!.retryAfter)).toBeGreaterThanOrEqual(1);
    // The other instance refuses the address too: the count is in the database.
    const other = await post(b, '{ me { id } }', 'Bearer forged.again.token');
    expect([other.status, other.body.errors?.[0]?.extensions?.code]).toEqual([429, 'RATE_LIMITED']);
    // A valid token from the same address still works.
    expect((await post(a, '{ me { id } }', `Bearer ${await a.tokenFor(uniqueEmail('valid'))}`)).status).toBe(200);
  });
});
