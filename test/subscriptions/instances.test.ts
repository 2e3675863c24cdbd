import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsortiumEventsDocument } from '../generated/graphql';
import { consortiumWithMember, touchConsortium } from '../support/factories/event';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { feedOf, subscribe, type LiveSubscription } from '../support/ws';

// Two gateway instances on one database: each has its own feed and LISTEN connection.
let one: TestGateway;
let two: TestGateway;
const open: LiveSubscription<unknown>[] = [];
beforeAll(async () => {
  [one, two] = await Promise.all([startTestGateway(), startTestGateway()]);
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await Promise.all([one?.stop(), two?.stop()]);
});

describe('two gateway instances', () => {
  it('listen on connections of their own', () => {
    expect(feedOf(one).listenerPid).toBeTypeOf('number');
    expect(feedOf(two).listenerPid).toBeTypeOf('number');
    expect(feedOf(one).listenerPid).not.toBe(feedOf(two).listenerPid);
  });

  it('deliver to subscribers of one instance the changes made through the other, both ways', async () => {
    const { admin, consortium, member } = await consortiumWithMember(one);
    const onOne = await subscribe(one, await one.tokenFor(member.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id });
    const onTwo = await subscribe(two, await two.tokenFor(member.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id });
    open.push(onOne as LiveSubscription<unknown>, onTwo as LiveSubscription<unknown>);

    const viaTwo = await touchConsortium(two.as(admin.owner.email), consortium.id);
    const viaOne = await touchConsortium(one.as(admin.owner.email), consortium.id);
    for (const sub of [onOne, onTwo]) {
      const names = [];
      for (let i = 0; i < 2; i++) {
        const e = (await sub.next()).data!.consortiumEvents;
        names.push((e.rawPayload as { changed: { name: { to: string } } }).changed.name.to);
      }
      expect(names).toEqual([viaTwo, viaOne]);
      await sub.expectNothing(100);
    }
  });
});
