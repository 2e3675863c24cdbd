// §8.2 chain accounts of an environment (Alibaba "Manage contract blockchain accounts"), through the
// public API: the grid row chainAccount.manage in every dimension that can refuse it, real keys,
// derived EIP-55 addresses, rotation, freezing, the frozen organization, and the events.
import { secp256k1 } from '@noble/curves/secp256k1';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evmAddress, KeyCurve, parsePublicKey } from '../../src/modules/chain-account/keys';
import {
  ChainAccountByIdDocument, ConsortiumEventLogDocument, CreateChainAccountDocument, EnvironmentChainAccountsDocument,
  FreezeChainAccountDocument, OrganizationEventsDocument, RotateChainAccountKeyDocument, UnfreezeChainAccountDocument,
} from '../generated/graphql';
import type { GraphQLClient, Result } from '../support/client';
import { sql } from '../support/db';
import { setMembershipStatus } from '../support/factories/consortium';
import { createOrganization, type OrgUser } from '../support/factories/organization';
import { addSeat, createEnv, newConsortium, seatUser, type Seat, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { subscribe } from '../support/ws';

// The generator point G is the public key of private key 1; its address is the well-known one.
const G_COMPRESSED = '0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
const G_UNCOMPRESSED =
  '0x0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8';
const G_ADDRESS = '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf';
// RFC 8032 §7.1, TEST 1: a valid Ed25519 public key.
const ED25519_KEY = '0xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

let gw: TestGateway;
let c: TestConsortium;
let envId: string;
let adminMember: OrgUser; // ADMINISTRATOR seat, account MEMBER without network role → effective MEMBER
let adminGuest: OrgUser; // ADMINISTRATOR seat, account GUEST
let member: Seat;
let memberUser: OrgUser; // account MEMBER without network role → effective MEMBER
let memberNetworkAdmin: OrgUser; // account MEMBER with network role ADMIN → effective ADMIN
let frozen: Seat;
let outsider: GraphQLClient;

beforeAll(async () => {
  gw = await startTestGateway();
  c = await newConsortium(gw);
  [member, frozen] = await Promise.all([addSeat(gw, c), addSeat(gw, c, { status: 'FROZEN' })]);
  [adminMember, adminGuest, memberUser, memberNetworkAdmin] = await Promise.all([
    seatUser(gw, c.admin, 'MEMBER'),
    seatUser(gw, c.admin, 'GUEST', 'GUEST'), // a network role GUEST: effective GUEST, and it sees the consortium (§8.1)
    seatUser(gw, member, 'MEMBER'),
    seatUser(gw, member, 'MEMBER', 'ADMIN'),
  ]);
  outsider = (await createOrganization(gw)).owner.client;
  envId = await createEnv(c.admin.owner.client, c.consortiumId);
});
afterAll(() => gw?.stop());

/** A fresh secp256k1 public key, compressed, and the address it derives to. */
function freshKey(): { publicKey: string; address: string } {
  const publicKey = `0x${Buffer.from(secp256k1.getPublicKey(secp256k1.utils.randomPrivateKey(), true)).toString('hex')}`;
  return { publicKey, address: evmAddress(parsePublicKey(KeyCurve.SECP256K1, publicKey)) };
}

/** An account of the seat's membership, as a row (the grid row under test may not be allowed to create one). */
async function seedAccount(seat: Seat, opts: { status?: 'ACTIVE' | 'FROZEN'; frozenBy?: string } = {}): Promise<string> {
  const id = randomUUID();
  const { publicKey, address } = freshKey();
  await sql(
    `insert into chain_account (id, environment_id, membership_id, curve, public_key, address, status, frozen_by_membership_id)
     values (?, ?, ?, 'SECP256K1', ?, ?, ?, ?)`,
    [id, envId, seat.membershipId, publicKey, address, opts.status ?? 'ACTIVE', opts.frozenBy ?? null],
  );
  return id;
}

const stored = async (id: string) =>
  (await sql<{ status: string; public_key: string; replaced_by_id: string | null }>('select status, public_key, replaced_by_id from chain_account where id = ?', [id]))[0];

function expectCode(result: Result<unknown>, expected: string): void {
  if (expected === 'ok') expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  else expect(result.errors?.[0].extensions?.code, JSON.stringify(result.errors)).toBe(expected);
}

const create = (client: GraphQLClient, publicKey = freshKey().publicKey, extra: Record<string, unknown> = {}) =>
  client.request(CreateChainAccountDocument, { input: { environmentId: envId, curve: 'SECP256K1', publicKey, ...extra } });

describe('the grid for chain accounts (chainAccount.manage: own only for a MEMBER, effective ADMIN; view: GUEST)', () => {
  // [who, client, its seat, create, rotate own, freeze own, freeze another membership's, rotate another's, view]
  type Row = [string, () => GraphQLClient, () => Seat | null, string, string, string, string, string, string];
  const rows: Row[] = [
    ['ADMINISTRATOR, effective OWNER', () => c.admin.owner.client, () => c.admin, 'ok', 'ok', 'ok', 'ok', 'FORBIDDEN', 'ok'],
    ['ADMINISTRATOR, account MEMBER without network role', () => adminMember.client, () => c.admin, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['ADMINISTRATOR, account GUEST', () => adminGuest.client, () => c.admin, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['MEMBER, effective OWNER', () => member.owner.client, () => member, 'ok', 'ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['MEMBER, account MEMBER with network role ADMIN', () => memberNetworkAdmin.client, () => member, 'ok', 'ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['MEMBER, effective MEMBER', () => memberUser.client, () => member, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['FROZEN membership', () => frozen.owner.client, () => frozen, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['organization without a membership', () => outsider, () => null, 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'],
  ];

  it.each(rows)('%s', async (_who, clientOf, seatOf, creates, rotateOwn, freezeOwn, freezeOther, rotateOther, view) => {
    const client = clientOf();
    const seat = seatOf();
    const someoneElse = seat === c.admin ? member : c.admin;
    expectCode(await create(client), creates);

    const own = await seedAccount(seat ?? someoneElse);
    expectCode(await client.request(RotateChainAccountKeyDocument, { id: own, input: { curve: 'SECP256K1', publicKey: freshKey().publicKey } }), rotateOwn);
    expect((await stored(own)).replaced_by_id !== null).toBe(rotateOwn === 'ok');

    const own2 = await seedAccount(seat ?? someoneElse);
    expectCode(await client.request(FreezeChainAccountDocument, { id: own2 }), freezeOwn);
    expect((await stored(own2)).status).toBe(freezeOwn === 'ok' ? 'FROZEN' : 'ACTIVE');

    const theirs = await seedAccount(someoneElse);
    expectCode(await client.request(FreezeChainAccountDocument, { id: theirs }), freezeOther);
    expect((await stored(theirs)).status).toBe(freezeOther === 'ok' ? 'FROZEN' : 'ACTIVE');

    const theirs2 = await seedAccount(someoneElse);
    expectCode(await client.request(RotateChainAccountKeyDocument, { id: theirs2, input: { curve: 'SECP256K1', publicKey: freshKey().publicKey } }), rotateOther);
    expect((await stored(theirs2)).replaced_by_id).toBeNull();

    expectCode(await client.request(ChainAccountByIdDocument, { id: theirs }), view);
  });

  it('a LEFT membership manages and sees nothing: the consortium is unknown to it', async () => {
    const seat = await addSeat(gw, c);
    const id = await seedAccount(seat);
    await setMembershipStatus(seat.membershipId, 'LEFT');
    await seat.owner.client.fails('NOT_FOUND', FreezeChainAccountDocument, { id });
    await seat.owner.client.fails('NOT_FOUND', ChainAccountByIdDocument, { id });
    await seat.owner.client.fails('NOT_FOUND', CreateChainAccountDocument, {
      input: { environmentId: envId, curve: 'SECP256K1', publicKey: freshKey().publicKey, membershipId: seat.membershipId },
    });
    expect((await stored(id)).status).toBe('ACTIVE');
  });
});

describe('createChainAccount: real keys, derived addresses', () => {
  it('derives the EIP-55 address of the key, compressed or not, and lists the account on its environment', async () => {
    const { createChainAccount: account } = await member.owner.client.ok(CreateChainAccountDocument, {
      input: { environmentId: envId, curve: 'SECP256K1', publicKey: G_UNCOMPRESSED },
    });
    expect(account).toMatchObject({
      curve: 'SECP256K1', publicKey: G_COMPRESSED, address: G_ADDRESS, status: 'ACTIVE', membership: { id: member.membershipId }, environment: { id: envId },
    });
    // The same key again (here compressed) is the same address: CONFLICT, nothing written.
    const again = await member.owner.client.fails('CONFLICT', CreateChainAccountDocument, {
      input: { environmentId: envId, curve: 'SECP256K1', publicKey: G_COMPRESSED },
    });
    expect(again.extensions).toMatchObject({ field: 'publicKey', address: G_ADDRESS });
    const { environment } = await adminGuest.client.ok(EnvironmentChainAccountsDocument, { id: envId });
    expect(environment.chainAccounts.filter((a) => a.address === G_ADDRESS).map((a) => a.id)).toEqual([account.id]);
  });

  it.each([
    ['not hexadecimal', 'SECP256K1', '0xzz'],
    ['an odd number of digits', 'SECP256K1', '0x021'],
    ['a secp256k1 key of the wrong length', 'SECP256K1', `0x02${'11'.repeat(31)}`],
    ['a secp256k1 key with a wrong prefix', 'SECP256K1', `0x05${'11'.repeat(32)}`],
    ['an x that is no point of secp256k1', 'SECP256K1', `0x02${'ff'.repeat(32)}`],
    ['an uncompressed point off the curve', 'SECP256K1', `0x04${'01'.repeat(64)}`],
    ['an Ed25519 key of the wrong length', 'ED25519', `0x${'11'.repeat(33)}`],
    ['an Ed25519 small-order point (the identity)', 'ED25519', `0x01${'00'.repeat(31)}`],
    ['an Ed25519 key, which no EVM client takes', 'ED25519', ED25519_KEY],
  ])('%s is BAD_USER_INPUT and writes nothing', async (_what, curve, publicKey) => {
    const count = () => sql<{ n: number }>('select count(*)::int as n from chain_account where environment_id = ?', [envId]);
    const before = await count();
    const result = await create(member.owner.client, publicKey, { curve });
    expectCode(result, 'BAD_USER_INPUT');
    expect(await count()).toEqual(before);
  });

  it.each(['P256', 'secp256k1', ''])('an unsupported curve (%j) is BAD_USER_INPUT', async (curve) => {
    const result = await member.owner.client.request(
      'mutation($e: ID!, $c: KeyCurve!, $k: String!) { createChainAccount(input: { environmentId: $e, curve: $c, publicKey: $k }) { id } }',
      { e: envId, c: curve, k: freshKey().publicKey },
    );
    expectCode(result, 'BAD_USER_INPUT');
  });

  it('an unknown environment is NOT_FOUND', async () => {
    await member.owner.client.fails('NOT_FOUND', CreateChainAccountDocument, {
      input: { environmentId: randomUUID(), curve: 'SECP256K1', publicKey: freshKey().publicKey },
    });
  });
});

describe('rotating, freezing, unfreezing', () => {
  it('a rotation on an EVM chain makes a new account and freezes the old one for good', async () => {
    const client = member.owner.client;
    const { createChainAccount: old } = await client.ok(CreateChainAccountDocument, {
      input: { environmentId: envId, curve: 'SECP256K1', publicKey: freshKey().publicKey },
    });
    const next = freshKey();
    const { rotateChainAccountKey: rotated } = await client.ok(RotateChainAccountKeyDocument, {
      id: old.id, input: { curve: 'SECP256K1', publicKey: next.publicKey },
    });
    expect(rotated).toMatchObject({ address: next.address, publicKey: next.publicKey, status: 'ACTIVE', rotatedFromId: old.id });
    expect(rotated.id).not.toBe(old.id);
    const { chainAccount: retired } = await client.ok(ChainAccountByIdDocument, { id: old.id });
    expect(retired).toMatchObject({ status: 'FROZEN', replacedById: rotated.id, address: old.address });
    // Replaced for good: neither unfreezing (not even by an administrator) nor another rotation.
    await client.fails('CONFLICT', UnfreezeChainAccountDocument, { id: old.id });
    await c.admin.owner.client.fails('CONFLICT', UnfreezeChainAccountDocument, { id: old.id });
    await client.fails('CONFLICT', RotateChainAccountKeyDocument, { id: old.id, input: { curve: 'SECP256K1', publicKey: freshKey().publicKey } });
    const kinds = await sql<{ kind: string; payload: Record<string, unknown> }>(
      "select kind, payload from event where subject_id = ? order by sequence", [old.id],
    );
    expect(kinds.map((k) => k.kind)).toEqual(['CHAIN_ACCOUNT_CREATED', 'CHAIN_ACCOUNT_KEY_ROTATED']);
    expect(kinds[1].payload).toMatchObject({ previousAddress: old.address, address: next.address, newAccount: true, newAccountId: rotated.id });
  });

  it('a rotation to a key some account of the environment has is CONFLICT and changes nothing', async () => {
    const client = member.owner.client;
    const taken = freshKey();
    await client.ok(CreateChainAccountDocument, { input: { environmentId: envId, curve: 'SECP256K1', publicKey: taken.publicKey } });
    const id = await seedAccount(member);
    await client.fails('CONFLICT', RotateChainAccountKeyDocument, { id, input: { curve: 'SECP256K1', publicKey: taken.publicKey } });
    expect(await stored(id)).toMatchObject({ status: 'ACTIVE', replaced_by_id: null });
    await client.fails('BAD_USER_INPUT', RotateChainAccountKeyDocument, { id, input: { curve: 'SECP256K1', publicKey: '0x02' } });
  });

  it("what an administrator froze only an administrator unfreezes; the owner's own freeze the owner undoes", async () => {
    const id = await seedAccount(member);
    await c.admin.owner.client.ok(FreezeChainAccountDocument, { id });
    const refused = await member.owner.client.fails('FORBIDDEN', UnfreezeChainAccountDocument, { id });
    expect(refused.extensions).toMatchObject({ kind: 'consortiumRole', need: 'ADMINISTRATOR' });
    await c.admin.owner.client.fails('CONFLICT', FreezeChainAccountDocument, { id });
    const { unfreezeChainAccount } = await c.admin.owner.client.ok(UnfreezeChainAccountDocument, { id });
    expect(unfreezeChainAccount.status).toBe('ACTIVE');
    await member.owner.client.ok(FreezeChainAccountDocument, { id });
    await member.owner.client.fails('CONFLICT', RotateChainAccountKeyDocument, { id, input: { curve: 'SECP256K1', publicKey: freshKey().publicKey } });
    await c.admin.owner.client.fails('FORBIDDEN', UnfreezeChainAccountDocument, { id });
    await member.owner.client.ok(UnfreezeChainAccountDocument, { id });
    await member.owner.client.fails('CONFLICT', UnfreezeChainAccountDocument, { id });
  });

  it("a frozen organization's accounts are frozen with it, and active again when it is unfrozen", async () => {
    const seat = await addSeat(gw, c);
    const id = await seedAccount(seat);
    await setMembershipStatus(seat.membershipId, 'FROZEN');
    expect((await c.admin.owner.client.ok(ChainAccountByIdDocument, { id })).chainAccount.status).toBe('FROZEN');
    expect((await seat.owner.client.ok(ChainAccountByIdDocument, { id })).chainAccount.status).toBe('FROZEN');
    expect((await stored(id)).status).toBe('ACTIVE');
    await setMembershipStatus(seat.membershipId, 'ACTIVE');
    expect((await c.admin.owner.client.ok(ChainAccountByIdDocument, { id })).chainAccount.status).toBe('ACTIVE');
  });
});

describe('events', () => {
  it("an administrator's freeze is on consortiumEvents and on the owner organization's organizationEvents", async () => {
    const seat = await addSeat(gw, c);
    const { createChainAccount: account } = await seat.owner.client.ok(CreateChainAccountDocument, {
      input: { environmentId: envId, curve: 'SECP256K1', publicKey: freshKey().publicKey },
    });
    const [{ s }] = await sql<{ s: string }>('select max(sequence)::text as s from event');
    const feed = await subscribe(gw, await gw.tokenFor(seat.owner.email), OrganizationEventsDocument, { after: Number(s) });
    try {
      await c.admin.owner.client.ok(FreezeChainAccountDocument, { id: account.id });
      const next = await feed.next();
      expect(next.data?.organizationEvents).toMatchObject({ kind: 'CHAIN_ACCOUNT_FROZEN', subjectId: account.id });
      expect(next.data?.organizationEvents.rawPayload).toMatchObject({ byAdministrator: true, address: account.address });
    } finally {
      await feed.close();
    }
    const { consortium } = await member.owner.client.ok(ConsortiumEventLogDocument, { id: c.consortiumId, after: Number(s), first: 50 });
    const kinds = consortium!.events.nodes.filter((e) => e.subjectId === account.id).map((e) => e.kind);
    expect(kinds).toEqual(['CHAIN_ACCOUNT_FROZEN']);
  });
});
