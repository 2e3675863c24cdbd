// One path from a policy denial to the client's error: the refusals that used to be built by hand
// (no spare licenses, an offer of permissions the inviter may not make) say what was missing with
// kind, need and have like every other denial, keeping their codes and their own figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateNodeDocument, ExpandNodeDocument, InviteOrganizationDocument } from '../generated/graphql';
import { createTestConsortium, memberOrganization } from '../support/factories/consortium';
import { createOrganization } from '../support/factories/organization';
import { addSeat, createEnv, newConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

describe('refusals through the one path', () => {
  it('no spare licenses: LICENSE_EXHAUSTED naming the action, with kind, need, have and the figures', async () => {
    const c = await newConsortium(gw);
    const envId = await createEnv(c.admin.owner.client, c.consortiumId);
    const seat = await addSeat(gw, c, { licenses: 2 });
    const client = seat.owner.client;
    const { createNode } = await client.ok(CreateNodeDocument, { input: { environmentId: envId, name: 'first', role: 'NON_SIGNER', size: 'MEDIUM' } });
    const create = await client.fails('LICENSE_EXHAUSTED', CreateNodeDocument, { input: { environmentId: envId, name: 'second', role: 'NON_SIGNER' } });
    expect(create.message).toMatch(/^Not allowed to node\.create: not enough spare node licenses/);
    expect(create.extensions).toMatchObject({ kind: 'integrity', need: '1 spare node license', have: '2 of 2 in use', licenses: 2, inUse: 2, needed: 1 });
    const expand = await client.fails('LICENSE_EXHAUSTED', ExpandNodeDocument, { id: createNode.id, size: 'LARGE' });
    expect(expand.message).toMatch(/^Not allowed to node\.expand: /);
    expect(expand.extensions).toMatchObject({ kind: 'integrity', need: '2 spare node licenses', have: '2 of 2 in use', needed: 2 });
  });

  it('an offer of permissions not held, or off the default without ENTERPRISE: FORBIDDEN with kind, need and have', async () => {
    const c = await newConsortium(gw);
    const inviter = await memberOrganization(gw, c.consortiumId, { plan: 'ENTERPRISE', permissions: ['INVITE_ORGANIZATIONS'] });
    const invitee = await createOrganization(gw, { plan: 'ENTERPRISE' });
    const notHeld = await inviter.org.owner.client.fails('FORBIDDEN', InviteOrganizationDocument, {
      input: { consortiumId: c.consortiumId, organizationId: invitee.id, permissions: ['INVITE_ORGANIZATIONS', 'MANAGE_ENVIRONMENTS'] },
    });
    expect(notHeld.message).toMatch(/^Not allowed to organization\.invite: .*MANAGE_ENVIRONMENTS/);
    expect(notHeld.extensions).toMatchObject({
      kind: 'permission',
      need: 'MANAGE_ENVIRONMENTS',
      have: 'INVITE_ORGANIZATIONS',
      notHeld: ['MANAGE_ENVIRONMENTS'],
      field: 'permissions',
    });

    const standard = await createOrganization(gw);
    const consortium = await createTestConsortium(standard.owner);
    const plan = await standard.owner.client.fails('FORBIDDEN', InviteOrganizationDocument, {
      input: { consortiumId: consortium.id, organizationId: invitee.id, permissions: ['MANAGE_ENVIRONMENTS'] },
    });
    expect(plan.message).toMatch(/^Not allowed to organization\.invite: .*ENTERPRISE/);
    expect(plan.extensions).toMatchObject({ kind: 'plan', need: 'ENTERPRISE', have: 'STANDARD' });
  });
});
