import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsortiumEventLogDocument, VerifyEventChainDocument } from '../generated/graphql';
import { sql } from '../support/db';
import { appendEvent, consortiumWithMember, storedSequences, touchConsortium } from '../support/factories/event';
import { createOrganization } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

describe('Consortium.events (the audit trail)', () => {
  it('pages a member through the consortium’s events by sequence, ascending', async () => {
    const { admin, consortium, member } = await consortiumWithMember(gw);
    await touchConsortium(admin.owner.client, consortium.id);
    await touchConsortium(admin.owner.client, consortium.id);
    const stored = await storedSequences(consortium.id);
    expect(stored).toHaveLength(3);

    const first = (await member.owner.client.ok(ConsortiumEventLogDocument, { id: consortium.id, first: 2 })).consortium.events;
    expect(first.nodes.map((e) => e.sequence)).toEqual(stored.slice(0, 2));
    expect(first.nodes.map((e) => e.kind)).toEqual(['CONSORTIUM_CREATED', 'CONSORTIUM_UPDATED']);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endSequence: stored[1] });
    expect(first.nodes[1].prevHash).toBe(first.nodes[0].hash);

    const rest = (
      await member.owner.client.ok(ConsortiumEventLogDocument, { id: consortium.id, after: first.pageInfo.endSequence, first: 2 })
    ).consortium.events;
    expect(rest.nodes.map((e) => e.sequence)).toEqual(stored.slice(2));
    expect(rest.pageInfo).toEqual({ hasNextPage: false, endSequence: stored[2] });
  });

  it('is NOT_FOUND for an organization that is not a member, and refuses a page size out of range', async () => {
    const { consortium, member } = await consortiumWithMember(gw);
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', ConsortiumEventLogDocument, { id: consortium.id });
    await member.owner.client.fails('BAD_USER_INPUT', ConsortiumEventLogDocument, { id: consortium.id, first: 0 });
    await member.owner.client.fails('BAD_USER_INPUT', ConsortiumEventLogDocument, { id: consortium.id, after: -1 });
  });
});

describe('verifyEventChain', () => {
  it('reports an untouched chain intact, having checked every event', async () => {
    const { admin, consortium, member } = await consortiumWithMember(gw);
    await touchConsortium(admin.owner.client, consortium.id);
    await appendEvent(consortium.id, { label: 'with a payload' });
    const { verifyEventChain } = await member.owner.client.ok(VerifyEventChainDocument, { consortiumId: consortium.id });
    expect(verifyEventChain).toEqual({ intact: true, checked: 3, firstBrokenSequence: null, reason: null });
  });

  it('finds a payload altered in the table, at that event', async () => {
    const { admin, consortium } = await consortiumWithMember(gw);
    await touchConsortium(admin.owner.client, consortium.id);
    await touchConsortium(admin.owner.client, consortium.id);
    const [, tampered] = await storedSequences(consortium.id);
    await sql(`update event set payload = '{"changed":{"name":{"from":"a","to":"forged"}}}' where sequence = ?`, [tampered]);
    const { verifyEventChain } = await admin.owner.client.ok(VerifyEventChainDocument, { consortiumId: consortium.id });
    expect(verifyEventChain).toMatchObject({ intact: false, checked: 2, firstBrokenSequence: tampered });
    expect(verifyEventChain.reason).toMatch(/altered/);
  });

  it('finds an event deleted from the middle, at the event after it (prev_hash mismatch)', async () => {
    const { admin, consortium } = await consortiumWithMember(gw);
    for (let i = 0; i < 3; i++) await touchConsortium(admin.owner.client, consortium.id);
    const [, removed, next] = await storedSequences(consortium.id);
    await sql('delete from event where sequence = ?', [removed]);
    const { verifyEventChain } = await admin.owner.client.ok(VerifyEventChainDocument, { consortiumId: consortium.id });
    expect(verifyEventChain).toMatchObject({ intact: false, checked: 2, firstBrokenSequence: next });
    expect(verifyEventChain.reason).toMatch(/prev_hash/);
  });

  it('finds the first event removed', async () => {
    const { admin, consortium } = await consortiumWithMember(gw);
    await touchConsortium(admin.owner.client, consortium.id);
    const [first, second] = await storedSequences(consortium.id);
    await sql('delete from event where sequence = ?', [first]);
    const { verifyEventChain } = await admin.owner.client.ok(VerifyEventChainDocument, { consortiumId: consortium.id });
    expect(verifyEventChain).toMatchObject({ intact: false, checked: 1, firstBrokenSequence: second });
  });

  it('is NOT_FOUND for an organization that is not a member', async () => {
    const { consortium } = await consortiumWithMember(gw);
    const outsider = await createOrganization(gw);
    await outsider.owner.client.fails('NOT_FOUND', VerifyEventChainDocument, { consortiumId: consortium.id });
  });
});
