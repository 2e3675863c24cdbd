// The typed client (client/) against a real gateway: typed documents, coded errors, typed event
// payloads next to the stored JSON, and a resumable subscription.
import { buildSchema, isObjectType, isUnionType } from 'graphql';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsortiumEventLogDocument,
  ConsortiumEventsDocument,
  CreateConsortiumDocument,
  CreateOrganizationDocument,
  createGatewayClient,
  FreezeMembershipDocument,
  GatewayError,
  InviteOrganizationDocument,
  MeDocument,
  UpdateConsortiumDocument,
  type GatewayClient,
  type GovernanceEventFragment,
} from '../../client/src';
import { EventKind } from '../../src/modules/event/event.entity';
import { invitedMember } from '../support/factories/membership';
import { createOrganization, type OrgUser } from '../support/factories/organization';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const clientFor = (email: string): GatewayClient =>
  createGatewayClient({ url: gw.url, getToken: () => gw.tokenFor(email), webSocketImpl: WebSocket, retry: { initialDelayMs: 50 } });

async function adminWithConsortium() {
  const email = uniqueEmail('typed');
  const client = clientFor(email);
  const { createOrganization: org } = await client.request(CreateOrganizationDocument, { input: { name: `Typed ${email}`, plan: 'ENTERPRISE' } });
  const { createConsortium: consortium } = await client.request(CreateConsortiumDocument, { input: { name: `Typed consortium ${email}` } });
  const owner: OrgUser = { id: '', email, client: gw.as(email) };
  return { client, org, consortium, owner };
}

describe('the typed client', () => {
  it('sends typed queries and mutations with a fresh token', async () => {
    const email = uniqueEmail('typed');
    const { me } = await clientFor(email).request(MeDocument);
    expect(me.email).toBe(email);
    expect(me.organization).toBeNull();
  });

  it('rejects with a GatewayError carrying the code', async () => {
    const client = clientFor(uniqueEmail('typed'));
    const error = await client.request(FreezeMembershipDocument, { id: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('NOT_FOUND');
    const anonymous = createGatewayClient({ url: gw.url, getToken: () => null });
    expect(await anonymous.request(MeDocument).catch((e: GatewayError) => e.code)).toBe('UNAUTHENTICATED');
  });

  it('reads each event’s payload typed by its kind, with the stored JSON next to it', async () => {
    const { client, consortium, owner } = await adminWithConsortium();
    const partner = await createOrganization(gw, { plan: 'ENTERPRISE' });
    const { inviteOrganization } = await client.request(InviteOrganizationDocument, {
      input: { consortiumId: consortium.id, organizationId: partner.id, permissions: ['CREATE_SIGNERS'] },
    });
    await client.request(UpdateConsortiumDocument, { id: consortium.id, input: { name: `${consortium.name} (renamed)` } });
    const { membershipId } = await invitedMember(gw, owner, consortium.id);
    await client.request(FreezeMembershipDocument, { id: membershipId });

    const { consortium: log } = await client.request(ConsortiumEventLogDocument, { id: consortium.id });
    const byKind = new Map(log.events.nodes.map((e) => [e.kind, e]));
    const sent = log.events.nodes.find((e) => e.kind === 'INVITATION_SENT' && e.subjectId === inviteOrganization.id)!;
    expect(sent.payload).toEqual({
      __typename: 'InvitationSentPayload',
      invitationId: inviteOrganization.id,
      inviteeOrganizationId: partner.id,
      inviteeOrganizationName: partner.name,
      inviteeEmail: null,
      invitingMembershipId: consortium.myMemberships[0].id,
      permissions: ['CREATE_SIGNERS'],
      expiresAt: inviteOrganization.expiresAt,
    });
    expect(sent.rawPayload).toMatchObject({ invitationId: inviteOrganization.id, permissions: ['CREATE_SIGNERS'] });
    expect(byKind.get('CONSORTIUM_UPDATED')!.payload).toEqual({
      __typename: 'ConsortiumUpdatedPayload',
      name: { from: consortium.name, to: `${consortium.name} (renamed)` },
      description: null,
    });
    expect(byKind.get('MEMBER_FROZEN')!.payload).toMatchObject({ __typename: 'MemberFrozenPayload', membershipId, status: 'FROZEN' });
    expect(byKind.get('MEMBER_JOINED')!.payload).toMatchObject({ __typename: 'MemberJoinedPayload', role: 'MEMBER', via: 'INVITATION' });
    // TypeScript narrows on __typename: this only compiles because the payload is a typed union.
    const p = sent.payload;
    if (p.__typename === 'InvitationSentPayload') expect(new Date(p.expiresAt!).getTime()).toBeGreaterThan(Date.now());
  });

  it('resumes a subscription with after: replays what followed, then streams live, each once', async () => {
    const { client, consortium } = await adminWithConsortium();
    const seen: GovernanceEventFragment[] = [];
    const sub = client.subscribeResumable(ConsortiumEventsDocument, { consortiumId: consortium.id, after: 0 }, {
      next: (data) => void seen.push(data.consortiumEvents),
      sequenceOf: (data) => data.consortiumEvents.sequence,
    });
    await expect.poll(() => seen.map((e) => e.kind)).toEqual(['CONSORTIUM_CREATED']);
    await client.request(UpdateConsortiumDocument, { id: consortium.id, input: { description: 'live' } });
    await expect.poll(() => seen.map((e) => e.kind), { timeout: 10_000 }).toEqual(['CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED']);
    expect(seen[1].payload).toMatchObject({ __typename: 'ConsortiumUpdatedPayload', description: { to: 'live' } });
    expect(sub.lastSequence).toBe(seen[1].sequence);
    sub.stop();
    await sub.done;
  });

  it('gives up on a subscription the gateway refuses, with its code', async () => {
    const client = clientFor(uniqueEmail('typed'));
    const sub = client.subscribeResumable(ConsortiumEventsDocument, { consortiumId: '00000000-0000-4000-8000-000000000000' }, {
      next: () => undefined,
      sequenceOf: () => 0,
    });
    await expect(sub.done).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the schema’s event payloads', () => {
  it('has one payload object type per event kind in the EventPayload union', () => {
    const schema = buildSchema(readFileSync(resolve(__dirname, '../../schema.graphql'), 'utf8'));
    const union = schema.getType('EventPayload');
    expect(isUnionType(union)).toBe(true);
    const pascal = (k: string) => k.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
    const names = isUnionType(union) ? union.getTypes().map((t) => t.name).sort() : [];
    expect(names).toEqual(Object.values(EventKind).map((k) => `${pascal(k)}Payload`).sort());
    for (const name of names) expect(isObjectType(schema.getType(name))).toBe(true);
  });
});
