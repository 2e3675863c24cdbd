import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsortiumEventsDocument,
  EventsFreezeMembershipDocument,
  EventsInviteOrganizationDocument,
  EventsLeaveConsortiumDocument,
  EventsRemoveUserDocument,
  OrganizationEventsDocument,
  DeleteConsortiumDocument,
} from '../generated/graphql';
import { createTestConsortium } from '../support/factories/consortium';
import { consortiumWithMember, touchConsortium } from '../support/factories/event';
import { addUser, createOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { feedOf, subscribe, type LiveSubscription } from '../support/ws';

let gw: TestGateway;
const open: LiveSubscription<unknown>[] = [];
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await gw?.stop();
});

const track = <T>(s: LiveSubscription<T>) => {
  open.push(s as LiveSubscription<unknown>);
  return s;
};

describe('subscriptions: who may open them', () => {
  it('closes the connection with 4403 for a bad token', async () => {
    const { consortium } = await consortiumWithMember(gw);
    const sub = track(await subscribe(gw, 'not.a.jwt', ConsortiumEventsDocument, { consortiumId: consortium.id }));
    expect(await sub.end()).toMatchObject({ kind: 'error', error: { code: 4403 } });
  });

  it('closes the connection with 4403 without a token', async () => {
    const { consortium } = await consortiumWithMember(gw);
    const sub = track(await subscribe(gw, null, ConsortiumEventsDocument, { consortiumId: consortium.id }));
    expect(await sub.end()).toMatchObject({ kind: 'error', error: { code: 4403 } });
  });

  it('refuses a non-member’s subscription with NOT_FOUND, exactly like a query, and registers nothing', async () => {
    const { admin, consortium } = await consortiumWithMember(gw);
    const outsider = await createOrganization(gw);
    const registered = feedOf(gw).registrations;
    const sub = track(await subscribe(gw, await gw.tokenFor(outsider.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id }));
    const refused = await sub.next();
    expect(feedOf(gw).registrations).toBe(registered);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await sub.end()).toEqual({ kind: 'complete' });
    // And no event of the consortium leaks to it afterwards.
    await touchConsortium(admin.owner.client, consortium.id);
    await sub.expectNothing(300);
  });

  it('refuses organizationEvents to a user who belongs to no organization', async () => {
    const email = `${Date.now()}-${Math.random().toString(36).slice(2)}@lonely.test`;
    const sub = track(await subscribe(gw, await gw.tokenFor(email), OrganizationEventsDocument, {}));
    expect((await sub.next()).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('subscriptions: checked again for every event', () => {
  it('a member whose membership is frozen keeps receiving', async () => {
    const { admin, consortium, member, membership } = await consortiumWithMember(gw);
    const sub = track(await subscribe(gw, await gw.tokenFor(member.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id }));
    await admin.owner.client.ok(EventsFreezeMembershipDocument, { id: membership.id });
    expect((await sub.next()).data?.consortiumEvents.kind).toBe('MEMBER_FROZEN');
    await touchConsortium(admin.owner.client, consortium.id);
    expect((await sub.next()).data?.consortiumEvents.kind).toBe('CONSORTIUM_UPDATED');
  });

  it('a subscription whose token has expired receives nothing more and ends with UNAUTHENTICATED', async () => {
    const { admin, consortium, member } = await consortiumWithMember(gw);
    const short = track(
      await subscribe(gw, await gw.tokenFor(member.owner.email, { expiresIn: '2s' }), ConsortiumEventsDocument, { consortiumId: consortium.id }),
    );
    await touchConsortium(admin.owner.client, consortium.id);
    expect((await short.next()).data?.consortiumEvents.kind).toBe('CONSORTIUM_UPDATED');
    await new Promise((r) => setTimeout(r, 2100));
    await touchConsortium(admin.owner.client, consortium.id);
    const end = await short.end();
    expect(end).toMatchObject({ kind: 'error' });
    expect(JSON.stringify(end)).toMatch(/UNAUTHENTICATED/);
  });

  it('an organization that left receives nothing more, and its subscription completes', async () => {
    const { admin, consortium, member, membership } = await consortiumWithMember(gw);
    const leaver = track(await subscribe(gw, await gw.tokenFor(member.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id }));
    const stayer = track(await subscribe(gw, await gw.tokenFor(admin.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id }));
    await touchConsortium(admin.owner.client, consortium.id);
    expect((await leaver.next()).data?.consortiumEvents.kind).toBe('CONSORTIUM_UPDATED');
    expect((await stayer.next()).data?.consortiumEvents.kind).toBe('CONSORTIUM_UPDATED');

    await member.owner.client.ok(EventsLeaveConsortiumDocument, { membershipId: membership.id });
    await touchConsortium(admin.owner.client, consortium.id);
    expect((await stayer.next()).data?.consortiumEvents.kind).toBe('MEMBER_LEFT');
    expect((await stayer.next()).data?.consortiumEvents.kind).toBe('CONSORTIUM_UPDATED');
    expect(await leaver.end()).toEqual({ kind: 'complete' });
  });

  it('a user removed from the organization receives nothing more, of the consortium or addressed to the organization', async () => {
    const { admin, consortium, member, membership } = await consortiumWithMember(gw);
    const colleague = await addUser(gw, member, 'MEMBER');
    const token = await gw.tokenFor(colleague.email);
    const removed = track(await subscribe(gw, token, ConsortiumEventsDocument, { consortiumId: consortium.id }));
    const removedOrg = track(await subscribe(gw, token, OrganizationEventsDocument, {}));
    const owner = track(await subscribe(gw, await gw.tokenFor(member.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id }));
    await member.owner.client.ok(EventsRemoveUserDocument, { organizationId: member.id, userId: colleague.id });
    await touchConsortium(admin.owner.client, consortium.id);
    expect((await owner.next()).data?.consortiumEvents.kind).toBe('CONSORTIUM_UPDATED');
    expect(await removed.end()).toEqual({ kind: 'complete' });
    await admin.owner.client.ok(EventsFreezeMembershipDocument, { id: membership.id }); // addressed to the member organization
    expect((await owner.next()).data?.consortiumEvents.kind).toBe('MEMBER_FROZEN');
    expect(await removedOrg.end()).toEqual({ kind: 'complete' });
  });

  it('a deleted consortium’s subscription completes', async () => {
    const admin = await createOrganization(gw);
    const consortium = await createTestConsortium(admin.owner);
    const sub = track(await subscribe(gw, await gw.tokenFor(admin.owner.email), ConsortiumEventsDocument, { consortiumId: consortium.id }));
    await admin.owner.client.ok(DeleteConsortiumDocument, { id: consortium.id });
    expect(await sub.end()).toEqual({ kind: 'complete' });
  });
});

describe('organizationEvents', () => {
  it('delivers only the events addressed to the subscriber’s own organization', async () => {
    const { admin, consortium, member, membership } = await consortiumWithMember(gw);
    const invitee = await createOrganization(gw);
    const memberSub = track(await subscribe(gw, await gw.tokenFor(member.owner.email), OrganizationEventsDocument, {}));
    const inviteeSub = track(await subscribe(gw, await gw.tokenFor(invitee.owner.email), OrganizationEventsDocument, {}));

    await admin.owner.client.ok(EventsInviteOrganizationDocument, { input: { consortiumId: consortium.id, organizationId: invitee.id } });
    const invited = (await inviteeSub.next()).data?.organizationEvents;
    expect(invited).toMatchObject({ kind: 'INVITATION_SENT', audienceOrganizationId: invitee.id, consortiumId: consortium.id });

    await touchConsortium(admin.owner.client, consortium.id); // addressed to nobody
    await admin.owner.client.ok(EventsFreezeMembershipDocument, { id: membership.id });
    const frozen = (await memberSub.next()).data?.organizationEvents;
    expect(frozen).toMatchObject({ kind: 'MEMBER_FROZEN', audienceOrganizationId: member.id });
    await memberSub.expectNothing(200);
    await inviteeSub.expectNothing(0);
  });
});
