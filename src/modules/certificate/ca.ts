// Per-environment certificate authority: each environment (chain) has its own CA; a membership
// uploads a CSR and receives an X.509 certificate for that environment (spec §1, §4, §6).
// Pure module: no database, no GraphQL. Callers persist the PEMs and the *encrypted* CA key.
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

let loaded: typeof X509 | undefined;

/**
 * The library, loaded on the first certificate operation rather than at start (its ASN.1 schemas
 * take a tenth of a second to load, on every gateway process). It resolves its WebCrypto from a
 * singleton, set once, as it loads.
 */
function x509lib(): typeof X509 {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('@peculiar/x509') as typeof X509;
    loaded.cryptoProvider.set(webcrypto as unknown as Parameters<typeof X509.cryptoProvider.set>[0]);
  }
  return loaded;
}

// At-rest encryption of the CA key lives in its own file; re-exported so callers need one import.
export { PrivateKeyDecryptionError, decryptPrivateKey, deriveKey, encryptPrivateKey } from './key-encryption';

const DAY_MS = 86_400_000;
/** Max accepted CSR input, in bytes of PEM. A P-384 or 4096-bit RSA CSR is under 2 KiB. */
export const MAX_CSR_BYTES = 16 * 1024;
const CA_SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const CA_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
// Backdating notBefore tolerates clock skew between the gateway and the nodes checking certs.
const CLOCK_SKEW_MS = 5 * 60_000;
// Parse limits for untrusted DER (asn1js defaults allow 16 MB / 10k nodes).
const BER_LIMITS: X509.ParseOptions = { berOptions: { maxDepth: 32, maxNodes: 2_000, maxContentLength: MAX_CSR_BYTES } };

export type CsrErrorReason =
  | 'TOO_LARGE' // input over MAX_CSR_BYTES
  | 'NOT_PEM' // not exactly one well-formed PEM block
  | 'NOT_A_CSR' // a PEM block, but not a parsable PKCS#10 request
  | 'UNSUPPORTED_ALGORITHM' // key not ECDSA P-256/P-384 or RSA 2048..8192, or a SHA-1/MD5 signature
  | 'BAD_SIGNATURE' // the CSR is not signed by the key it carries (no proof of possession)
  | 'SUBJECT_MISMATCH'; // CN / O differ from what the caller expects

/** A CSR that was refused; `reason` is stable and machine-readable, `message` is for humans. */
export class CsrError extends Error {
  override readonly name = 'CsrError';
  constructor(readonly reason: CsrErrorReason, message: string) {
    super(message);
  }
}

/** Creates a self-signed ECDSA P-256 CA for one environment; the raw PKCS#8 key must be encrypted by the caller. */
export async function createCertificateAuthority(params: {
  commonName: string;
  organization?: string;
  validityDays?: number;
}): Promise<{ certificatePem: string; privateKeyPkcs8: Uint8Array; serial: string }> {
  const x509 = x509lib();
  const validityDays = checkValidityDays(params.validityDays ?? 3650);
  const keys = await webcrypto.subtle.generateKey(CA_KEY, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - CLOCK_SKEW_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectName(params.commonName, params.organization),
    notBefore,
    notAfter: new Date(notBefore.getTime() + CLOCK_SKEW_MS + validityDays * DAY_MS),
    signingAlgorithm: CA_SIGNING,
    keys,
    extensions: [
      // pathLen 0: this CA signs membership (leaf) certificates only, never sub-CAs.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certificatePem: cert.toString('pem'), privateKeyPkcs8: new Uint8Array(pkcs8), serial: cert.serialNumber };
}

// --- CSRs ---

/** Parses one PEM CSR, checks size, key type, proof of possession and the expected CN / O; throws CsrError. */
export async function parseAndVerifyCsr(
  pem: string,
  expected: { commonName?: string; organization?: string },
): Promise<{ csr: X509.Pkcs10CertificateRequest; subject: string }> {
  const x509 = x509lib();
  if (typeof pem !== 'string') throw new CsrError('NOT_PEM', 'CSR must be a PEM string');
  // Measured before any regex or decoding so an attacker cannot make us parse megabytes.
  if (pem.length > MAX_CSR_BYTES || Buffer.byteLength(pem, 'utf8') > MAX_CSR_BYTES) {
    throw new CsrError('TOO_LARGE', `CSR is larger than ${MAX_CSR_BYTES} bytes`);
  }
  // Anchored, greedy and with no nested quantifiers: linear time on hostile input.
  const block = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\s]+)-----END \1-----$/.exec(pem.trim());
  if (!block) throw new CsrError('NOT_PEM', 'expected exactly one PEM block "-----BEGIN CERTIFICATE REQUEST-----"');
  if (block[1] !== 'CERTIFICATE REQUEST' && block[1] !== 'NEW CERTIFICATE REQUEST') {
    throw new CsrError('NOT_A_CSR', `PEM block is a "${block[1]}", not a CERTIFICATE REQUEST`);
  }
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(Buffer.from(block[2]!.replace(/\s+/g, ''), 'base64'), BER_LIMITS);
    void csr.subject; // force decoding of the lazily-read fields inside the try
  } catch {
    throw new CsrError('NOT_A_CSR', 'PEM content is not a valid PKCS#10 certificate request');
  }
  checkKeyAndSignatureAlgorithm(csr);
  let signed = false;
  try {
    signed = await csr.verify();
  } catch {
    signed = false;
  }
  if (!signed) throw new CsrError('BAD_SIGNATURE', 'CSR signature does not verify against its own public key');
  checkSubject(csr.subjectName, expected);
  return { csr, subject: csr.subject };
}

function checkKeyAndSignatureAlgorithm(csr: X509.Pkcs10CertificateRequest): void {
  let details: { type?: string; curve?: string; bits?: number };
  try {
    const key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    const d = key.asymmetricKeyDetails ?? {};
    details = { type: key.asymmetricKeyType, curve: d.namedCurve, bits: d.modulusLength };
  } catch {
    throw new CsrError('UNSUPPORTED_ALGORITHM', 'CSR public key is of an unknown or malformed type');
  }
  const ecOk = details.type === 'ec' && (details.curve === 'prime256v1' || details.curve === 'secp384r1');
  // Upper bound keeps verification cheap; nothing in a consortium needs RSA over 8192 bits.
  const rsaOk = details.type === 'rsa' && details.bits !== undefined && details.bits >= 2048 && details.bits <= 8192;
  if (!ecOk && !rsaOk) {
    const what =
      details.type === 'rsa' ? `RSA-${details.bits}` : details.curve ? `EC ${details.curve}` : String(details.type);
    throw new CsrError('UNSUPPORTED_ALGORITHM', `CSR key ${what} not accepted: use ECDSA P-256/P-384 or RSA >= 2048 bits`);
  }
  let hash: string | undefined;
  try {
    hash = csr.signatureAlgorithm.hash?.name?.toUpperCase();
  } catch {
    hash = undefined; // an algorithm identifier the library does not know
  }
  if (hash !== 'SHA-256' && hash !== 'SHA-384' && hash !== 'SHA-512') {
    throw new CsrError('UNSUPPORTED_ALGORITHM', `CSR is signed with ${hash ?? 'an unknown hash'}: SHA-256 or stronger required`);
  }
}

function checkSubject(name: X509.Name, expected: { commonName?: string; organization?: string }): void {
  const cns = name.getField('CN');
  const orgs = name.getField('O');
  // An empty subject would need a critical SAN (RFC 5280 §4.1.2.6); we require a CN instead.
  if (cns.length !== 1) {
    throw new CsrError('SUBJECT_MISMATCH', `CSR subject must contain exactly one CN, found ${cns.length}`);
  }
  // Exact, case-sensitive comparison: the subject becomes the membership's identity.
  if (expected.commonName !== undefined && cns[0] !== expected.commonName) {
    throw new CsrError('SUBJECT_MISMATCH', `CSR CN "${cns[0]}" does not match the expected "${expected.commonName}"`);
  }
  if (expected.organization !== undefined && (orgs.length !== 1 || orgs[0] !== expected.organization)) {
    throw new CsrError(
      'SUBJECT_MISMATCH',
      `CSR O ${orgs.length ? `"${orgs.join('", "')}"` : '(none)'} does not match the expected "${expected.organization}"`,
    );
  }
}

// --- Issuance and verification ---

/** Issues a leaf certificate for a (verified) CSR, signed by the environment CA; notAfter never exceeds the CA's. */
export async function issueCertificate(params: {
  caCertificatePem: string;
  caPrivateKeyPkcs8: Uint8Array;
  csr: X509.Pkcs10CertificateRequest;
  validityDays?: number;
  serial?: string;
}): Promise<{ certificatePem: string; serial: string; notAfter: Date }> {
  const x509 = x509lib();
  const validityDays = checkValidityDays(params.validityDays ?? 365);
  const ca = new x509.X509Certificate(params.caCertificatePem);
  if (ca.getExtension(x509.BasicConstraintsExtension)?.ca !== true) {
    throw new Error('the issuing certificate is not a CA (BasicConstraints CA:true missing)');
  }
  const now = Date.now();
  if (now >= ca.notAfter.getTime() || now < ca.notBefore.getTime()) {
    const range = `${ca.notBefore.toISOString()} to ${ca.notAfter.toISOString()}`;
    throw new Error(`the environment CA is not valid now (valid ${range})`);
  }
  // Cheap, and it means no code path can sign a CSR whose possession proof was never checked.
  if (!(await params.csr.verify().catch(() => false))) {
    throw new CsrError('BAD_SIGNATURE', 'CSR signature does not verify against its own public key');
  }
  const curve = (ca.publicKey.algorithm as { namedCurve?: string }).namedCurve;
  if (curve !== 'P-256' && curve !== 'P-384') throw new Error(`unsupported CA key (${String(curve)})`);
  const caKeyAlg = { name: 'ECDSA', namedCurve: curve };
  const signingKey = await webcrypto.subtle.importKey('pkcs8', params.caPrivateKeyPkcs8, caKeyAlg, false, ['sign']);

  const notBefore = new Date(now - CLOCK_SKEW_MS);
  // A leaf that outlives its issuer would fail chain validation anyway; clamp it honestly.
  const notAfter = new Date(Math.min(now + validityDays * DAY_MS, ca.notAfter.getTime()));
  const caSki = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: params.serial === undefined ? randomSerial() : checkSerial(params.serial),
    subject: params.csr.subjectName,
    // The CA's subject as encoded in its certificate, so the issuer DN matches byte for byte.
    issuer: ca.subjectName,
    notBefore,
    notAfter,
    publicKey: params.csr.publicKey,
    signingKey,
    signingAlgorithm: { name: 'ECDSA', hash: curve === 'P-384' ? 'SHA-384' : 'SHA-256' },
    // CSR extension requests (SANs, key usages…) are ignored on purpose: the CA decides usage.
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
      caSki
        ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId)
        : await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(params.csr.publicKey),
    ],
  });
  // A key that does not belong to the CA certificate would yield a certificate nobody can chain.
  if (!(await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }))) {
    throw new Error('the CA private key does not match the CA certificate');
  }
  return { certificatePem: cert.toString('pem'), serial: cert.serialNumber, notAfter: cert.notAfter };
}

/** True when the cert's issuer DN equals the CA's subject DN and the CA key verifies its signature (dates not checked; false on junk). */
export async function verifyIssuedBy(certificatePem: string, caCertificatePem: string): Promise<boolean> {
  const x509 = x509lib();
  try {
    const cert = new x509.X509Certificate(certificatePem);
    const ca = new x509.X509Certificate(caCertificatePem);
    if (!Buffer.from(cert.issuerName.toArrayBuffer()).equals(Buffer.from(ca.subjectName.toArrayBuffer()))) return false;
    return await cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

// --- helpers ---

function subjectName(commonName: string, organization?: string): X509.JsonName {
  // X.520 upper bounds (ub-common-name, ub-organization-name) are 64 characters.
  if (typeof commonName !== 'string' || commonName.trim() === '' || commonName.length > 64) {
    throw new RangeError('commonName must be 1..64 characters');
  }
  if (organization !== undefined && (organization.trim() === '' || organization.length > 64)) {
    throw new RangeError('organization must be 1..64 characters');
  }
  // JSON form, not a DN string, so commas or '=' in a name cannot inject extra attributes.
  return organization === undefined ? [{ CN: [commonName] }] : [{ O: [organization] }, { CN: [commonName] }];
}

function checkValidityDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 36_500) throw new RangeError('validityDays must be an integer 1..36500');
  return days;
}

/** 128-bit serial: 16 random octets, top bit cleared (positive with no pad octet), first octet non-zero (32 hex chars). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return bytes.toString('hex');
}

function checkSerial(serial: string): string {
  // RFC 5280 §4.1.2.2: positive, at most 20 octets.
  const hex = serial.toLowerCase().replace(/^0+/, '');
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > 40 || (hex.length === 40 && hex[0]! >= '8')) {
    throw new RangeError('serial must be a positive hex integer of at most 20 octets');
  }
  return hex.length % 2 ? `0${hex}` : hex;
}
