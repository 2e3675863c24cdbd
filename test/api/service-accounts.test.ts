// Machine identities (service accounts): an organization's OWNER or ADMIN registers the client id
// its identity provider puts in `sub` of client-credentials tokens; tokens without `email` are
// accepted for registered, ACTIVE service accounts only. RS256 tokens from a local JWKS.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptInvitationDocument,
  DeleteServiceAccountDocument,
  InviteUserDocument,
  MeDocument,
  ReactivateServiceAccountDocument,
  RegisterServiceAccountDocument,
  ServiceAccountEventsDocument,
  ServiceAccountsDocument,
  SuspendServiceAccountDocument,
} from '../generated/graphql';
import { GraphQLClient } from '../support/client';
import { consortiumWithAdmin } from '../support/factories/membership';
import { addUser, createOrganization, type TestOrganization } from '../support/factories/organization';
import { startTestGateway, uniqueEmail, type TestGateway } from '../support/gateway';
import { feedOf, subscribe } from '../support/ws';

const ISSUER = 'https://idp.test/';
const AUDIENCE = 'governance';

let jwks: Server;
let gw: TestGateway;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** A person's token from the provider: `sub` and `email`. */
function personToken(email: string): Promise<string> {
  return sign({ email }, `idp|${email}`);
}

/** A machine's client-credentials token: its client id in `sub`, no `email`. */
function machineToken(clientId: string, claims: Record<string, unknown> = {}): Promise<string> {
  return sign(claims, clientId);
}

function sign(claims: Record<string, unknown>, sub: string): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
}

const machine = (clientId: string) => new GraphQLClient(gw.url, () => machineToken(clientId));
const newClientId = () => `svc-${randomUUID()}@clients`;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const key = { ...(await exportJWK(pair.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key] }));
  });
  await new Promise<void>((ok) => jwks.listen(0, '127.0.0.1', ok));
  const base = await startTestGateway({
    JWT_SECRET: '',
    JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
  });
  // The factories sign in people through gw.as/tokenFor: here with the provider's RS256 tokens.
  gw = { ...base, as: (email) => new GraphQLClient(base.url, () => personToken(email)), tokenFor: (email) => personToken(email) };
});

afterAll(async () => {
  await gw?.stop();
  await new Promise((ok) => jwks?.close(ok));
});

type Account = { id: string; clientId: string; name: string; accountRole: string; status: string; userId: string };

async function register(by: GraphQLClient, clientId: string, accountRole: 'OWNER' | 'ADMIN' | 'MEMBER' | 'GUEST' = 'MEMBER'): Promise<Account> {
  const { registerServiceAccount } = await by.ok(RegisterServiceAccountDocument, { input: { clientId, name: 'Partner feed', accountRole } });
  return registerServiceAccount;
}

/** One operation on an open graphql-ws connection: its result, or the errors it was refused with. */
function once(client: Client, query: string): Promise<{ data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }> {
  return new Promise((resolve) => {
    let result: { data?: unknown } = {};
    client.subscribe(
      { query },
      {
        next: (value) => (result = value as { data?: unknown }),
        error: (error) => resolve({ errors: error as { message: string }[] }),
        complete: () => resolve(result),
      },
    );
  });
}

const codeOf = (item: { kind: string; error?: unknown }) =>
  item.kind === 'error' ? ((item.error as { extensions?: { code?: string } }[])[0]?.extensions?.code ?? (item.error as { code?: number }).code) : item.kind;

describe('a token without email', () => {
  it('is refused when its subject is not a registered service account', async () => {
    const error = await machine(newClientId()).fails('UNAUTHENTICATED', MeDocument);
    expect(error.message).toMatch(/not a registered service account/);
  });

  it('is refused on a WebSocket connection with 4403 when unregistered', async () => {
    const sub = await subscribe(gw, await machineToken(newClientId()), ServiceAccountEventsDocument, { after: null });
    const end = await sub.end();
    expect(codeOf(end)).toBe(4403);
    await sub.close();
  });

  it('still needs a valid address when it does carry an email claim', async () => {
    const clientId = newClientId();
    const token = await machineToken(clientId, { email: 'not an address' });
    await gw.anonymous().withRawAuthorization(`Bearer ${token}`).fails('UNAUTHENTICATED', MeDocument);
  });
});

describe('registerServiceAccount', () => {
  let org: TestOrganization;
  beforeAll(async () => {
    org = await createOrganization(gw);
  });

  it('an OWNER registers one; its token then works for `me` as a user of the organization with that role and no email', async () => {
    const clientId = newClientId();
    const account = await register(org.owner.client, clientId, 'ADMIN');
    expect(account).toMatchObject({ clientId, name: 'Partner feed', accountRole: 'ADMIN', status: 'ACTIVE' });
    const { me } = await machine(clientId).ok(MeDocument);
    expect(me).toMatchObject({ id: account.userId, email: null, accountRole: 'ADMIN', signedIn: true, organization: { id: org.id } });
    const { serviceAccounts } = await org.owner.client.ok(ServiceAccountsDocument, {});
    expect(serviceAccounts.nodes.map((a) => a.id)).toContain(account.id);
  });

  it('an ADMIN registers a MEMBER, but not an OWNER (FORBIDDEN, nothing written)', async () => {
    const admin = await addUser(gw, org, 'ADMIN');
    await register(admin.client, newClientId(), 'MEMBER');
    await register(admin.client, newClientId(), 'ADMIN');
    const clientId = newClientId();
    const error = await admin.client.fails('FORBIDDEN', RegisterServiceAccountDocument, {
      input: { clientId, name: 'Too high', accountRole: 'OWNER' },
    });
    expect(error.message).toMatch(/no higher than your own/);
    await machine(clientId).fails('UNAUTHENTICATED', MeDocument);
  });

  it('a MEMBER or a GUEST may not register, list or change any (FORBIDDEN)', async () => {
    const account = await register(org.owner.client, newClientId());
    for (const role of ['MEMBER', 'GUEST'] as const) {
      const user = await addUser(gw, org, role);
      await user.client.fails('FORBIDDEN', RegisterServiceAccountDocument, { input: { clientId: newClientId(), name: 'x', accountRole: 'GUEST' } });
      await user.client.fails('FORBIDDEN', ServiceAccountsDocument, {});
      await user.client.fails('FORBIDDEN', SuspendServiceAccountDocument, { id: account.id });
    }
  });

  it('an outsider neither sees nor touches another organization’s accounts', async () => {
    const account = await register(org.owner.client, newClientId());
    const outsider = await createOrganization(gw);
    const { serviceAccounts } = await outsider.owner.client.ok(ServiceAccountsDocument, {});
    expect(serviceAccounts.nodes).toEqual([]);
    for (const document of [SuspendServiceAccountDocument, ReactivateServiceAccountDocument, DeleteServiceAccountDocument]) {
      await outsider.owner.client.fails('NOT_FOUND', document, { id: account.id });
    }
    await outsider.owner.client.fails('NOT_FOUND', RegisterServiceAccountDocument, {
      input: { organizationId: org.id, clientId: newClientId(), name: 'x', accountRole: 'GUEST' },
    });
    const { me } = await machine(account.clientId).ok(MeDocument);
    expect(me.organization?.id).toBe(org.id);
  });

  it('a client id in use by a service account or by a user is CONFLICT', async () => {
    const clientId = newClientId();
    await register(org.owner.client, clientId);
    const other = await createOrganization(gw);
    await other.owner.client.fails('CONFLICT', RegisterServiceAccountDocument, { input: { clientId, name: 'x', accountRole: 'GUEST' } });
    // A person's subject (signed in through the same provider) is taken too.
    await org.owner.client.fails('CONFLICT', RegisterServiceAccountDocument, {
      input: { clientId: `idp|${other.owner.email}`, name: 'x', accountRole: 'GUEST' },
    });
  });

  it('a blank, too long or control-character client id is BAD_USER_INPUT', async () => {
    for (const clientId of ['', '   ', 'x'.repeat(256), 'bad\nid', 'tab\tid', ' padded']) {
      const error = await org.owner.client.fails('BAD_USER_INPUT', RegisterServiceAccountDocument, {
        input: { clientId, name: 'x', accountRole: 'GUEST' },
      });
      expect(error.extensions?.field).toBe('clientId');
    }
    await org.owner.client.fails('BAD_USER_INPUT', RegisterServiceAccountDocument, { input: { clientId: newClientId(), name: '  ', accountRole: 'GUEST' } });
  });
});

describe('a service account’s lifecycle', () => {
  it('suspended → refused over HTTP, on its open socket and on a new connection; reactivated → works; deleted → refused; every change is an event', async () => {
    const org = await createOrganization(gw);
    const clientId = newClientId();
    const account = await register(org.owner.client, clientId, 'MEMBER');
    const agent = machine(clientId);
    await agent.ok(MeDocument);

    // An open socket of the machine: a subscription to its organization's events, and room for more operations.
    const ws = createClient({
      url: gw.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: async () => ({ Authorization: `Bearer ${await machineToken(clientId)}` }),
      lazy: false,
      retryAttempts: 0,
    });
    const received: { kind: 'next' | 'error' | 'complete'; value?: unknown }[] = [];
    try {
      expect((await once(ws, '{ me { id email } }')).data).toEqual({ me: { id: account.userId, email: null } });
      const before = feedOf(gw).registrations;
      ws.subscribe(
        { query: 'subscription { organizationEvents { sequence kind subjectId } }' },
        {
          next: (value) => received.push({ kind: 'next', value }),
          error: (error) => received.push({ kind: 'error', value: error }),
          complete: () => received.push({ kind: 'complete' }),
        },
      );
      await expect.poll(() => feedOf(gw).registrations).toBeGreaterThan(before);

      // A change the machine may see arrives while it is active.
      const other = await register(org.owner.client, newClientId(), 'GUEST');
      await expect.poll(() => received.length).toBe(1);
      expect(received[0]).toMatchObject({ kind: 'next', value: { data: { organizationEvents: { kind: 'SERVICE_ACCOUNT_REGISTERED', subjectId: other.id } } } });

      const { suspendServiceAccount } = await org.owner.client.ok(SuspendServiceAccountDocument, { id: account.id });
      expect(suspendServiceAccount.status).toBe('SUSPENDED');
      // The open subscription ends at the next event batch (the suspension's own), without that event.
      await expect.poll(() => received.length).toBe(2);
      expect(received[1].kind).toBe('error');
      expect((received[1].value as { extensions: { code: string } }[])[0].extensions.code).toBe('UNAUTHENTICATED');
      // The next operation on the same socket is refused.
      const refused = await once(ws, '{ me { id } }');
      expect(refused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(refused.errors?.[0].message).toMatch(/suspended/);
    } finally {
      await ws.dispose();
    }
    const error = await agent.fails('UNAUTHENTICATED', MeDocument);
    expect(error.message).toMatch(/suspended/);
    const fresh = await subscribe(gw, await machineToken(clientId), ServiceAccountEventsDocument, { after: null });
    expect(codeOf(await fresh.end())).toBe(4403);
    await fresh.close();
    // A token that also names an email is still the service account's: suspended all the same.
    await gw.anonymous().withRawAuthorization(`Bearer ${await machineToken(clientId, { email: uniqueEmail('sneaky') })}`).fails('UNAUTHENTICATED', MeDocument);
    await org.owner.client.fails('CONFLICT', SuspendServiceAccountDocument, { id: account.id });

    const { reactivateServiceAccount } = await org.owner.client.ok(ReactivateServiceAccountDocument, { id: account.id });
    expect(reactivateServiceAccount.status).toBe('ACTIVE');
    expect((await agent.ok(MeDocument)).me.id).toBe(account.userId);

    await org.owner.client.ok(DeleteServiceAccountDocument, { id: account.id });
    expect((await agent.fails('UNAUTHENTICATED', MeDocument)).message).toMatch(/not a registered service account/);
    const { serviceAccounts } = await org.owner.client.ok(ServiceAccountsDocument, {});
    expect(serviceAccounts.nodes.map((a) => a.id)).not.toContain(account.id);
    await org.owner.client.fails('NOT_FOUND', DeleteServiceAccountDocument, { id: account.id });

    // Every change, as the organization's OWNER reads them on organizationEvents.
    const log = await subscribe(gw, await personToken(org.owner.email), ServiceAccountEventsDocument, { after: 0 });
    const events = [];
    for (let i = 0; i < 5; i++) events.push((await log.next()).data!.organizationEvents);
    await log.close();
    expect(events.map((e) => [e.kind, e.subjectId])).toEqual([
      ['SERVICE_ACCOUNT_REGISTERED', account.id],
      ['SERVICE_ACCOUNT_REGISTERED', expect.any(String)],
      ['SERVICE_ACCOUNT_SUSPENDED', account.id],
      ['SERVICE_ACCOUNT_REACTIVATED', account.id],
      ['SERVICE_ACCOUNT_DELETED', account.id],
    ]);
    for (const e of events) {
      expect(e.audienceOrganizationId).toBe(org.id);
      expect(e.actorUserId).toBe(org.owner.id);
      expect(e.payload).toMatchObject({ byUserId: org.owner.id });
    }
    expect(events[0].payload).toMatchObject({ __typename: 'ServiceAccountRegisteredPayload', clientId, name: 'Partner feed', accountRole: 'MEMBER', status: 'ACTIVE' });
    expect(events[2].payload).toMatchObject({ __typename: 'ServiceAccountSuspendedPayload', clientId, status: 'SUSPENDED' });
    expect(events[4].payload).toMatchObject({ __typename: 'ServiceAccountDeletedPayload', clientId });

    // Deleted, its client id is free again.
    await register(org.owner.client, clientId, 'GUEST');
    expect((await agent.ok(MeDocument)).me.accountRole).toBe('GUEST');
  });

  it('deleted → its open subscription ends with UNAUTHENTICATED at the next event batch', async () => {
    const org = await createOrganization(gw);
    const clientId = newClientId();
    const account = await register(org.owner.client, clientId, 'MEMBER');
    const sub = await subscribe(gw, await machineToken(clientId), ServiceAccountEventsDocument, { after: null });
    try {
      await org.owner.client.ok(DeleteServiceAccountDocument, { id: account.id });
      const end = await sub.end(10_000);
      expect(codeOf(end)).toBe('UNAUTHENTICATED');
      expect(((end as { error: { message: string }[] }).error)[0].message).toMatch(/deleted/);
    } finally {
      await sub.close();
    }
  });

  it('a service account is refused through the user mutations: its role and organization are its own record’s', async () => {
    const org = await createOrganization(gw);
    const account = await register(org.owner.client, newClientId(), 'MEMBER');
    await org.owner.client.fails('CONFLICT', 'mutation($o: ID!, $u: ID!) { setAccountRole(organizationId: $o, userId: $u, role: ADMIN) { id } }', {
      o: org.id,
      u: account.userId,
    });
    await org.owner.client.fails('CONFLICT', 'mutation($o: ID!, $u: ID!) { removeUser(organizationId: $o, userId: $u) { id } }', {
      o: org.id,
      u: account.userId,
    });
  });
});

describe('service accounts and invitations by email', () => {
  it('never claim an invitation sent to an email, and cannot be invited by email', async () => {
    const { admin, consortium } = await consortiumWithAdmin(gw);
    const partner = await createOrganization(gw);
    const clientId = newClientId();
    const account = await register(partner.owner.client, clientId, 'ADMIN');
    // An invitation to an address that is nobody's yet waits; the machine, signing in, gets nothing.
    const address = uniqueEmail('nobody');
    const { inviteOrganization } = await admin.owner.client.ok<{ inviteOrganization: { id: string } }, Record<string, unknown>>(
      'mutation($c: ID!, $e: String) { inviteOrganization(input: { consortiumId: $c, email: $e }) { id } }',
      { c: consortium.id, e: address },
    );
    const pending = '{ pendingInvitations { nodes { id } } }';
    await machine(clientId).ok(MeDocument);
    expect((await machine(clientId).ok<{ pendingInvitations: { nodes: unknown[] } }, Record<string, never>>(pending)).pendingInvitations.nodes).toEqual([]);
    // Nor with a token that names that very address: it is the service account, never the address's owner.
    const claiming = new GraphQLClient(gw.url, () => machineToken(clientId, { email: address }));
    expect((await claiming.ok(MeDocument)).me).toMatchObject({ id: account.userId, email: null });
    expect((await claiming.ok<{ pendingInvitations: { nodes: unknown[] } }, Record<string, never>>(pending)).pendingInvitations.nodes).toEqual([]);
    await claiming.fails('NOT_FOUND', AcceptInvitationDocument, { id: inviteOrganization.id });
    // Inviting by email reaches people only: the address becomes an invitation of its own, not the machine.
    const { inviteUser } = await partner.owner.client.ok(InviteUserDocument, { organizationId: partner.id, email: address, role: 'MEMBER' });
    expect(inviteUser.id).not.toBe(account.userId);
    expect(inviteUser.signedIn).toBe(false);
    expect((await machine(clientId).ok(MeDocument)).me).toMatchObject({ id: account.userId, email: null, accountRole: 'ADMIN' });
  });
});
