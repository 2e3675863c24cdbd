// Before @peculiar/x509: its DI container (tsyringe) needs the Reflect metadata API at load time.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CsrError,
  MAX_CSR_BYTES,
  PrivateKeyDecryptionError,
  createCertificateAuthority,
  decryptPrivateKey,
  deriveKey,
  encryptPrivateKey,
  issueCertificate,
  parseAndVerifyCsr,
  verifyIssuedBy,
} from '../../src/modules/certificate/ca';
import { makeCsr, tamperCsr } from '../support/csr';

type Ca = Awaited<ReturnType<typeof createCertificateAuthority>>;

async function csrReason(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CsrError);
  return (err as CsrError).reason;
}

let ca1: Ca;
let ca2: Ca;
beforeAll(async () => {
  ca1 = await createCertificateAuthority({ commonName: 'env-1 CA', organization: 'Consortium A' });
  // Same DN as CA #1 on purpose: only the signature can tell them apart.
  ca2 = await createCertificateAuthority({ commonName: 'env-1 CA', organization: 'Consortium A' });
});

describe('createCertificateAuthority', () => {
  it('creates a self-signed ECDSA P-256 CA with CA extensions', async () => {
    const cert = new x509.X509Certificate(ca1.certificatePem);
    expect(cert.subject).toBe('O=Consortium A, CN=env-1 CA');
    expect(cert.issuer).toBe(cert.subject);
    expect(await cert.isSelfSigned()).toBe(true);
    expect(await cert.verify()).toBe(true); // signature and validity period, now
    expect(cert.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(cert.serialNumber).toBe(ca1.serial);
    expect(ca1.serial).toMatch(/^[0-7][0-9a-f]{31}$/);

    const bc = cert.getExtension(x509.BasicConstraintsExtension)!;
    expect(bc.ca).toBe(true);
    expect(bc.critical).toBe(true);
    const ku = cert.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(cert.notAfter.getTime() - Date.now()).toBeGreaterThan(3649 * 86_400_000);
  });

  it('returns a PKCS#8 private key that belongs to the certificate', async () => {
    const key = await webcrypto.subtle.importKey('pkcs8', ca1.privateKeyPkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const data = Buffer.from('proof');
    const sig = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data);
    const pub = await new x509.X509Certificate(ca1.certificatePem).publicKey.export();
    expect(await webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pub as never, sig, data)).toBe(true);
  });

  it('keeps a comma in a name inside one attribute and refuses empty names', async () => {
    const ca = await createCertificateAuthority({ commonName: 'a, CN=evil', validityDays: 1 });
    expect(new x509.X509Certificate(ca.certificatePem).subjectName.getField('CN')).toEqual(['a, CN=evil']);
    await expect(createCertificateAuthority({ commonName: ' ' })).rejects.toThrow(RangeError);
    await expect(createCertificateAuthority({ commonName: 'x', validityDays: 0 })).rejects.toThrow(RangeError);
  });
});

describe('private key encryption', () => {
  const key = randomBytes(32);

  it('round-trips and uses a fresh IV each time', () => {
    const blob = encryptPrivateKey(ca1.privateKeyPkcs8, key);
    expect(blob).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(decryptPrivateKey(blob, key)).toEqual(ca1.privateKeyPkcs8);
    expect(encryptPrivateKey(ca1.privateKeyPkcs8, key)).not.toBe(blob);
  });

  it('detects tampering of IV, tag, ciphertext and version, and a wrong key', () => {
    const blob = encryptPrivateKey(ca1.privateKeyPkcs8, key);
    const flip = (part: number) =>
      blob
        .split('.')
        .map((p, i) => {
          if (i !== part) return p;
          const b = Buffer.from(p, 'base64url');
          b[0]! ^= 0x01;
          return b.toString('base64url');
        })
        .join('.');
    for (const bad of [flip(1), flip(2), flip(3), blob.replace(/^v1/, 'v2'), blob.slice(0, -4), 'v1.a.b', '']) {
      expect(() => decryptPrivateKey(bad, key)).toThrow(PrivateKeyDecryptionError);
    }
    expect(() => decryptPrivateKey(flip(3), key)).toThrow(/tampered/);
    expect(() => decryptPrivateKey(blob, randomBytes(32))).toThrow(PrivateKeyDecryptionError);
    // A truncated tag must not be accepted as a shorter GCM tag.
    const [v, iv, tag, ct] = blob.split('.');
    const shortTag = Buffer.from(tag!, 'base64url').subarray(0, 12).toString('base64url');
    expect(() => decryptPrivateKey([v, iv, shortTag, ct].join('.'), key)).toThrow(/truncated/);
  });

  it('requires a 32-byte key', () => {
    expect(() => encryptPrivateKey(ca1.privateKeyPkcs8, randomBytes(31))).toThrow(RangeError);
  });

  it('derives a stable 32-byte key from a passphrase', () => {
    const a = deriveKey('correct horse battery staple');
    expect(a).toHaveLength(32);
    expect(deriveKey('correct horse battery staple').equals(a)).toBe(true);
    expect(deriveKey('correct horse battery staplf').equals(a)).toBe(false);
    expect(decryptPrivateKey(encryptPrivateKey(ca1.privateKeyPkcs8, a), deriveKey('correct horse battery staple'))).toEqual(
      ca1.privateKeyPkcs8,
    );
    expect(() => deriveKey('short')).toThrow(RangeError);
  });
});

describe('parseAndVerifyCsr', () => {
  it('accepts a valid EC P-256 CSR with the expected subject', async () => {
    const { pem } = await makeCsr({ commonName: 'member-1', organization: 'Org One' });
    const { csr, subject } = await parseAndVerifyCsr(pem, { commonName: 'member-1', organization: 'Org One' });
    expect(subject).toBe('O=Org One, CN=member-1');
    expect(csr).toBeInstanceOf(x509.Pkcs10CertificateRequest);
    // CRLF line endings (pasted from Windows) are fine too.
    await expect(parseAndVerifyCsr(pem.replace(/\n/g, '\r\n'), {})).resolves.toBeTruthy();
  });

  it('accepts P-384 and RSA-2048 keys', async () => {
    const p384 = await makeCsr({ commonName: 'm', namedCurve: 'P-384', hash: 'SHA-384' });
    await expect(parseAndVerifyCsr(p384.pem, { commonName: 'm' })).resolves.toBeTruthy();
    const rsa = await makeCsr({ commonName: 'm', keyAlg: 'RSA' });
    await expect(parseAndVerifyCsr(rsa.pem, { commonName: 'm' })).resolves.toBeTruthy();
  });

  it('refuses input that is not a PEM CSR', async () => {
    expect(await csrReason(parseAndVerifyCsr('hello', {}))).toBe('NOT_PEM');
    const { pem } = await makeCsr({ commonName: 'm' });
    expect(await csrReason(parseAndVerifyCsr(pem + pem, {}))).toBe('NOT_PEM');
    expect(await csrReason(parseAndVerifyCsr(ca1.certificatePem, {}))).toBe('NOT_A_CSR');
    const garbage = `-----BEGIN CERTIFICATE REQUEST-----\n${randomBytes(300).toString('base64')}\n-----END CERTIFICATE REQUEST-----`;
    expect(await csrReason(parseAndVerifyCsr(garbage, {}))).toBe('NOT_A_CSR');
  });

  it('refuses a CSR whose signature does not verify', async () => {
    const { pem } = await makeCsr({ commonName: 'm', organization: 'O' });
    const tampered = tamperCsr(pem);
    expect(tampered).not.toBe(pem);
    expect(await csrReason(parseAndVerifyCsr(tampered, { commonName: 'm' }))).toBe('BAD_SIGNATURE');
    const rsa = await makeCsr({ commonName: 'm', keyAlg: 'RSA' });
    expect(await csrReason(parseAndVerifyCsr(tamperCsr(rsa.pem), {}))).toBe('BAD_SIGNATURE');
  });

  it('refuses a subject that differs from the expected one', async () => {
    const { pem } = await makeCsr({ commonName: 'member-1', organization: 'Org One' });
    expect(await csrReason(parseAndVerifyCsr(pem, { commonName: 'member-2' }))).toBe('SUBJECT_MISMATCH');
    expect(await csrReason(parseAndVerifyCsr(pem, { commonName: 'MEMBER-1' }))).toBe('SUBJECT_MISMATCH');
    expect(await csrReason(parseAndVerifyCsr(pem, { organization: 'Org Two' }))).toBe('SUBJECT_MISMATCH');
    const noOrg = await makeCsr({ commonName: 'member-1' });
    expect(await csrReason(parseAndVerifyCsr(noOrg.pem, { organization: 'Org One' }))).toBe('SUBJECT_MISMATCH');
  });

  it('refuses oversize input before parsing it', async () => {
    const { pem } = await makeCsr({ commonName: 'm' });
    const big = pem + '\n'.repeat(MAX_CSR_BYTES);
    expect(await csrReason(parseAndVerifyCsr(big, {}))).toBe('TOO_LARGE');
  });

  it('rejects hostile PEM-like input in linear time', async () => {
    const started = Date.now();
    const hostile = `-----BEGIN CERTIFICATE REQUEST-----\n${' '.repeat(MAX_CSR_BYTES - 100)}x`;
    expect(await csrReason(parseAndVerifyCsr(hostile, {}))).toBe('NOT_PEM');
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('refuses weak or unsupported keys and SHA-1 signatures', async () => {
    const p521 = await makeCsr({ commonName: 'm', namedCurve: 'P-521', hash: 'SHA-384' });
    expect(await csrReason(parseAndVerifyCsr(p521.pem, {}))).toBe('UNSUPPORTED_ALGORITHM');
    const rsa1024 = await makeCsr({ commonName: 'm', keyAlg: 'RSA', modulusLength: 1024 });
    expect(await csrReason(parseAndVerifyCsr(rsa1024.pem, {}))).toBe('UNSUPPORTED_ALGORITHM');
    const sha1 = await makeCsr({ commonName: 'm', hash: 'SHA-1' });
    expect(await csrReason(parseAndVerifyCsr(sha1.pem, {}))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('gives every failure a distinct reason', async () => {
    const { pem } = await makeCsr({ commonName: 'm' });
    const reasons = await Promise.all([
      csrReason(parseAndVerifyCsr('x', {})),
      csrReason(parseAndVerifyCsr(ca1.certificatePem, {})),
      csrReason(parseAndVerifyCsr(tamperCsr(pem), {})),
      csrReason(parseAndVerifyCsr(pem, { commonName: 'other' })),
      csrReason(parseAndVerifyCsr(pem.padEnd(MAX_CSR_BYTES + 1, ' '), {})),
    ]);
    expect(new Set(reasons).size).toBe(reasons.length);
  });
});

describe('issueCertificate and verifyIssuedBy', () => {
  async function issue(ca: Ca, opts: { keyAlg?: 'EC' | 'RSA'; validityDays?: number; serial?: string } = {}) {
    const { pem } = await makeCsr({ commonName: 'member-1', organization: 'Org One', keyAlg: opts.keyAlg });
    const { csr } = await parseAndVerifyCsr(pem, { commonName: 'member-1' });
    const issued = await issueCertificate({
      caCertificatePem: ca.certificatePem,
      caPrivateKeyPkcs8: ca.privateKeyPkcs8,
      csr,
      validityDays: opts.validityDays,
      serial: opts.serial,
    });
    return { csr, issued, cert: new x509.X509Certificate(issued.certificatePem) };
  }

  it('issues a leaf that chains to its CA (library signature check and chain builder)', async () => {
    const { csr, issued, cert } = await issue(ca1);
    const caCert = new x509.X509Certificate(ca1.certificatePem);
    expect(await cert.verify({ publicKey: caCert.publicKey })).toBe(true);
    expect(await verifyIssuedBy(issued.certificatePem, ca1.certificatePem)).toBe(true);

    const chain = await new x509.X509ChainBuilder({ certificates: [caCert] }).build(cert);
    expect(chain).toHaveLength(2);
    expect(Buffer.from(chain[1]!.rawData).equals(Buffer.from(caCert.rawData))).toBe(true);

    expect(cert.subject).toBe(csr.subject);
    expect(Buffer.from(cert.publicKey.rawData).equals(Buffer.from(csr.publicKey.rawData))).toBe(true);
    expect(cert.serialNumber).toBe(issued.serial);
    expect(issued.serial).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(issued.notAfter.getTime()).toBe(cert.notAfter.getTime());
    expect(Math.round((issued.notAfter.getTime() - Date.now()) / 86_400_000)).toBe(365);
  });

  it('sets leaf extensions: CA:false, digitalSignature, clientAuth+serverAuth, AKI = CA SKI', async () => {
    const { cert } = await issue(ca1);
    const bc = cert.getExtension(x509.BasicConstraintsExtension)!;
    expect(bc.ca).toBe(false);
    expect(bc.critical).toBe(true);
    expect(cert.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual(
      expect.arrayContaining([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
    );
    const caSki = new x509.X509Certificate(ca1.certificatePem).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(caSki);
  });

  it('issues for RSA keys, honours a given serial and never outlives the CA', async () => {
    const { cert } = await issue(ca1, { keyAlg: 'RSA', serial: '00ABCDEF01' });
    expect(cert.serialNumber).toBe('abcdef01');
    expect(await verifyIssuedBy(cert.toString('pem'), ca1.certificatePem)).toBe(true);
    const shortCa = await createCertificateAuthority({ commonName: 'short', validityDays: 10 });
    const { issued } = await issue(shortCa, { validityDays: 365 });
    expect(issued.notAfter.getTime()).toBe(new x509.X509Certificate(shortCa.certificatePem).notAfter.getTime());
    await expect(issue(ca1, { serial: '00' })).rejects.toThrow(RangeError);
  });

  it('a certificate issued by CA #1 does not verify against CA #2 (same DN, other key)', async () => {
    const { issued, cert } = await issue(ca1);
    expect(await verifyIssuedBy(issued.certificatePem, ca2.certificatePem)).toBe(false);
    const ca2Cert = new x509.X509Certificate(ca2.certificatePem);
    expect(await cert.verify({ publicKey: ca2Cert.publicKey })).toBe(false);
    expect(await new x509.X509ChainBuilder({ certificates: [ca2Cert] }).build(cert)).toHaveLength(1);
    // and not against an unrelated certificate or garbage
    expect(await verifyIssuedBy(issued.certificatePem, issued.certificatePem)).toBe(false);
    expect(await verifyIssuedBy('junk', ca1.certificatePem)).toBe(false);
  });

  it('refuses a CA private key that does not belong to the CA certificate, and a tampered CSR object', async () => {
    const { pem } = await makeCsr({ commonName: 'm' });
    const { csr } = await parseAndVerifyCsr(pem, {});
    await expect(
      issueCertificate({ caCertificatePem: ca1.certificatePem, caPrivateKeyPkcs8: ca2.privateKeyPkcs8, csr }),
    ).rejects.toThrow(/does not match/);
    const forged = new x509.Pkcs10CertificateRequest(tamperCsr(pem));
    await expect(
      issueCertificate({ caCertificatePem: ca1.certificatePem, caPrivateKeyPkcs8: ca1.privateKeyPkcs8, csr: forged }),
    ).rejects.toBeInstanceOf(CsrError);
  });

  it('refuses to issue from a certificate that is not a CA', async () => {
    const { issued } = await issue(ca1);
    const { pem } = await makeCsr({ commonName: 'm' });
    const { csr } = await parseAndVerifyCsr(pem, {});
    await expect(
      issueCertificate({ caCertificatePem: issued.certificatePem, caPrivateKeyPkcs8: ca1.privateKeyPkcs8, csr }),
    ).rejects.toThrow(/not a CA/);
  });
});
