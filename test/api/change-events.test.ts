// §8.2 changes through the API write their events, and a member organization receives them live
// on consortiumEvents and finds them in the consortium's log: security editing, node expansion and
// the hand-over of administration (chain accounts: chain-account.test.ts; invitations by email:
// invitation-by-email.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsortiumEventLogDocument,
  ConsortiumEventsDocument,
  CreateNodeDocument,
  ExpandNodeDocument,
  TransferAdministrationDocument,
  UpdateEnvironmentSecurityDocument,
} from '../generated/graphql';
import { sql } from '../support/db';
import { addSeat, createEnv, newConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { subscribe } from '../support/ws';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

describe('events of the second edition’s changes', () => {
  it('security editing, node expansion and the administration hand-over reach a member live and in the log', async () => {
    const c = await newConsortium(gw);
    const envId = await createEnv(c.admin.owner.client, c.consortiumId);
    const member = await addSeat(gw, c);
    const admin = c.admin.owner.client;
    const [{ s }] = await sql<{ s: string }>('select max(sequence)::text as s from event');
    const live = await subscribe(gw, await gw.tokenFor(member.owner.email), ConsortiumEventsDocument, { consortiumId: c.consortiumId, after: Number(s) });
    try {
      await admin.ok(UpdateEnvironmentSecurityDocument, { id: envId, input: { allowList: ['10.0.0.0/8'], tls: { minVersion: 'TLS1_3' } } });
      const { createNode: node } = await admin.ok(CreateNodeDocument, { input: { environmentId: envId, name: 'grows', role: 'NON_SIGNER' } });
      await admin.ok(ExpandNodeDocument, { id: node.id, size: 'MEDIUM' });
      await admin.ok(TransferAdministrationDocument, { toMembershipId: member.membershipId });
      const expected = [
        { kind: 'ENVIRONMENT_SECURITY_UPDATED', subjectId: envId },
        { kind: 'NODE_CREATED', subjectId: node.id },
        { kind: 'NODE_EXPANDED', subjectId: node.id },
        { kind: 'ADMINISTRATION_TRANSFERRED', subjectId: member.membershipId, audienceOrganizationId: member.org.id },
      ];
      const received = [];
      for (let i = 0; i < expected.length; i++) received.push((await live.next()).data?.consortiumEvents);
      expect(received).toMatchObject(expected);
      expect(received[3]?.rawPayload).toMatchObject({ toMembershipId: member.membershipId });

      const { consortium } = await member.owner.client.ok(ConsortiumEventLogDocument, { id: c.consortiumId, after: Number(s), first: 50 });
      expect(consortium.events.nodes.map((e) => ({ kind: e.kind, sequence: e.sequence }))).toEqual(
        received.map((e) => ({ kind: e?.kind, sequence: e?.sequence })),
      );
    } finally {
      await live.close();
    }
  });
});
