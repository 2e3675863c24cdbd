import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyIssuedBy } from '../../src/modules/certificate/ca';
import {
  CertificateForDocument,
  ConnectionProfileDocument,
  EnvironmentByIdDocument,
  ResetCertificateDocument,
  UploadCertificateDocument,
} from '../generated/graphql';
import type { GraphQLClient, Result } from '../support/client';
import { makeCsr, tamperCsr } from '../support/csr';
import { sql } from '../support/db';
import { createOrganization, type OrgUser } from '../support/factories/organization';
import { addSeat, createEnv, newConsortium, seatUser, type Seat, type TestConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
let c: TestConsortium;
let envId: string;
let caPem: string;
let adminMember: OrgUser; // effective MEMBER
let adminGuest: OrgUser; // effective GUEST
let plainMember: Seat;
let frozen: Seat;
let outsider: GraphQLClient;

beforeAll(async () => {
  gw = await startTestGateway({ COMPILER_WORKERS: '1' });
  c = await newConsortium(gw);
  [plainMember, frozen] = await Promise.all([addSeat(gw, c), addSeat(gw, c, { status: 'FROZEN' })]);
  [adminMember, adminGuest] = await Promise.all([seatUser(gw, c.admin, 'MEMBER'), seatUser(gw, c.admin, 'GUEST', 'GUEST')]);
  outsider = (await createOrganization(gw)).owner.client;
  envId = await createEnv(c.admin.owner.client, c.consortiumId);
  caPem = (await c.admin.owner.client.ok(EnvironmentByIdDocument, { id: envId })).environment.caCertificatePem;
});
afterAll(() => gw?.stop());

/** A CSR that names the seat as the gateway requires: CN = membership id, O = organization name. */
const csrFor = async (seat: Seat) => (await makeCsr({ commonName: seat.membershipId, organization: seat.org.name })).pem;

function expectCode(result: Result<unknown>, expected: string): void {
  if (expected === 'ok') expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  else expect(result.errors?.[0].extensions?.code, JSON.stringify(result.errors)).toBe(expected);
}

describe('uploadCertificate', () => {
  it('issues a certificate signed by the environment CA for the acting membership', async () => {
    const { uploadCertificate: cert } = await plainMember.owner.client.ok(UploadCertificateDocument, {
      input: { environmentId: envId, csrPem: await csrFor(plainMember) },
    });
    expect(cert).toMatchObject({ status: 'ACTIVE', membership: { id: plainMember.membershipId }, environment: { id: envId } });
    expect(await verifyIssuedBy(cert.pem, caPem)).toBe(true);
    // Not by another environment's CA.
    const otherEnv = await createEnv(c.admin.owner.client, c.consortiumId);
    const otherCa = (await c.admin.owner.client.ok(EnvironmentByIdDocument, { id: otherEnv })).environment.caCertificatePem;
    expect(await verifyIssuedBy(cert.pem, otherCa)).toBe(false);
    // The library's own view: subject, serial, and a chain that ends at the CA.
    const leaf = new x509.X509Certificate(cert.pem);
    expect(leaf.subjectName.getField('CN')).toEqual([plainMember.membershipId]);
    expect(leaf.subjectName.getField('O')).toEqual([plainMember.org.name]);
    expect(leaf.serialNumber).toBe(cert.serial);
    expect(new Date(cert.notAfter).getTime()).toBe(leaf.notAfter.getTime());
    const chain = await new x509.X509ChainBuilder({ certificates: [new x509.X509Certificate(caPem)] }).build(leaf);
    expect(chain.map((x) => x.subject)).toEqual([leaf.subject, new x509.X509Certificate(caPem).subject]);
    const blocks = cert.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(blocks.map((b) => new x509.X509Certificate(b).serialNumber)).toEqual([cert.serial, new x509.X509Certificate(caPem).serialNumber]);

    const events = await sql<{ kind: string; acting_membership_id: string }>(
      'select kind, acting_membership_id from event where subject_id = ?', [cert.id],
    );
    expect(events).toEqual([{ kind: 'CERTIFICATE_ISSUED', acting_membership_id: plainMember.membershipId }]);
  });

  it('a new upload revokes the previous certificate in the same change; concurrent uploads leave exactly one ACTIVE', async () => {
    const seat = await addSeat(gw, c);
    const first = (await seat.owner.client.ok(UploadCertificateDocument, { input: { environmentId: envId, csrPem: await csrFor(seat) } }))
      .uploadCertificate;
    const second = (await seat.owner.client.ok(UploadCertificateDocument, { input: { environmentId: envId, csrPem: await csrFor(seat) } }))
      .uploadCertificate;
    const { certificate } = await seat.owner.client.ok(CertificateForDocument, { environmentId: envId });
    expect(certificate?.serial).toBe(second.serial);
    const [old] = await sql<{ status: string; revoked_at: Date | null }>('select status, revoked_at from certificate where id = ?', [first.id]);
    expect(old.status).toBe('REVOKED');
    expect(old.revoked_at).not.toBeNull();

    const csrs = await Promise.all([1, 2, 3].map(() => csrFor(seat)));
    const results = await Promise.all(csrs.map((csrPem) => seat.owner.client.request(UploadCertificateDocument, { input: { environmentId: envId, csrPem } })));
    results.forEach((r) => expectCode(r, 'ok'));
    const active = await sql('select id from certificate where membership_id = ? and status = ?', [seat.membershipId, 'ACTIVE']);
    expect(active.length).toBe(1);
  });

  it('refuses bad CSRs with BAD_USER_INPUT and the reason', async () => {
    const client = plainMember.owner.client;
    const good = await csrFor(plainMember);
    const cases: [string, string][] = [
      ['hello', 'NOT_PEM'],
      ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'NOT_A_CSR'],
      [tamperCsr(good), 'BAD_SIGNATURE'],
      [(await makeCsr({ commonName: c.admin.membershipId, organization: plainMember.org.name })).pem, 'SUBJECT_MISMATCH'],
      [(await makeCsr({ commonName: plainMember.membershipId, organization: 'Somebody else' })).pem, 'SUBJECT_MISMATCH'],
      [(await makeCsr({ commonName: plainMember.membershipId })).pem, 'SUBJECT_MISMATCH'],
      ['x'.repeat(17 * 1024), 'TOO_LARGE'],
    ];
    for (const [csrPem, reason] of cases) {
      const error = await client.fails('BAD_USER_INPUT', UploadCertificateDocument, { input: { environmentId: envId, csrPem } });
      expect(error.extensions, reason).toMatchObject({ field: 'csrPem', reason });
    }
    const [{ n }] = await sql<{ n: number }>(
      "select count(*)::int as n from event where kind = 'CERTIFICATE_ISSUED' and acting_membership_id = ?", [plainMember.membershipId],
    );
    expect(n).toBe(1); // only the first test's upload: refusals write nothing
  });
});

describe('certificate and resetCertificate', () => {
  it('downloads the ACTIVE certificate, resets it to REVOKED, and reports NONE before any', async () => {
    const seat = await addSeat(gw, c);
    const client = seat.owner.client;
    expect((await client.ok(CertificateForDocument, { environmentId: envId })).certificate).toBeNull();
    const issued = (await client.ok(UploadCertificateDocument, { input: { environmentId: envId, csrPem: await csrFor(seat) } })).uploadCertificate;
    const { certificate } = await client.ok(CertificateForDocument, { environmentId: envId });
    expect(certificate).toMatchObject({ id: issued.id, status: 'ACTIVE', pem: issued.pem, chainPem: issued.chainPem });

    const { resetCertificate } = await client.ok(ResetCertificateDocument, { environmentId: envId });
    expect(resetCertificate).toMatchObject({ id: issued.id, status: 'REVOKED' });
    expect(resetCertificate.revokedAt).not.toBeNull();
    expect((await client.ok(CertificateForDocument, { environmentId: envId })).certificate?.status).toBe('REVOKED');
    expect((await client.ok(ConnectionProfileDocument, { id: envId })).environment.connectionProfile.certificateStatus).toBe('REVOKED');
    await client.fails('NOT_FOUND', ResetCertificateDocument, { environmentId: envId });
    const kinds = await sql<{ kind: string }>('select kind from event where subject_id = ? order by sequence', [issued.id]);
    expect(kinds.map((k) => k.kind)).toEqual(['CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED']);
  });
});

describe('the grid for certificates', () => {
  // [who, client, its seat, upload, download, reset]
  const rows: [string, () => GraphQLClient, () => Seat, string, string, string][] = [
    ['ADMINISTRATOR, effective OWNER', () => c.admin.owner.client, () => c.admin, 'ok', 'ok', 'ok'],
    ['ADMINISTRATOR, account MEMBER without network role', () => adminMember.client, () => c.admin, 'FORBIDDEN', 'ok', 'FORBIDDEN'],
    ['ADMINISTRATOR, account GUEST', () => adminGuest.client, () => c.admin, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    ['MEMBER (no permission needed)', () => plainMember.owner.client, () => plainMember, 'ok', 'ok', 'ok'],
    // §8.1: a frozen organization keeps all read access, its own certificate included.
    ['FROZEN membership', () => frozen.owner.client, () => frozen, 'FORBIDDEN', 'ok', 'FORBIDDEN'],
    ['organization without a membership', () => outsider, () => plainMember, 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'],
  ];

  it.each(rows)('%s', async (_who, clientOf, seatOf, upload, download, reset) => {
    const client = clientOf();
    expectCode(await client.request(UploadCertificateDocument, { input: { environmentId: envId, csrPem: await csrFor(seatOf()) } }), upload);
    expectCode(await client.request(CertificateForDocument, { environmentId: envId }), download);
    // So that a refused reset is refused by the grid, not for lack of a certificate: the seat gets one from its OWNER.
    if (seatOf() === c.admin && upload !== 'ok') {
      await c.admin.owner.client.ok(UploadCertificateDocument, { input: { environmentId: envId, csrPem: await csrFor(c.admin) } });
    }
    const result = await client.request(ResetCertificateDocument, { environmentId: envId });
    expectCode(result, reset);
  });
});
