// CSR fixtures for unit and API tests: a real PKCS#10 request signed by a fresh key pair.
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type CsrKeyPair = webcrypto.CryptoKeyPair;

/** Creates a PEM CSR for CN (and O); EC defaults to P-256 and RSA to 2048 bits, both signed with SHA-256. */
export async function makeCsr(params: {
  commonName: string;
  organization?: string;
  keyAlg?: 'EC' | 'RSA';
  /** Overrides for negative tests (e.g. P-521, RSA-1024, SHA-1). */
  namedCurve?: 'P-256' | 'P-384' | 'P-521';
  modulusLength?: number;
  hash?: 'SHA-1' | 'SHA-256' | 'SHA-384';
}): Promise<{ pem: string; keys: CsrKeyPair }> {
  const hash = params.hash ?? 'SHA-256';
  const rsa = params.keyAlg === 'RSA';
  const alg = rsa
    ? { name: 'RSASSA-PKCS1-v1_5', hash, publicExponent: new Uint8Array([1, 0, 1]), modulusLength: params.modulusLength ?? 2048 }
    : { name: 'ECDSA', namedCurve: params.namedCurve ?? 'P-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CsrKeyPair;
  const name: x509.JsonName = [{ CN: [params.commonName] }];
  if (params.organization !== undefined) name.unshift({ O: [params.organization] });
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys: keys as never,
    signingAlgorithm: rsa ? { name: 'RSASSA-PKCS1-v1_5', hash } : ({ name: 'ECDSA', hash } as never),
  });
  return { pem: csr.toString('pem'), keys };
}

/** Returns the same CSR with one bit of its signature flipped: still parses, no longer verifies. */
export function tamperCsr(pem: string): string {
  const body = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(body, 'base64');
  // The signature BIT STRING is the last field of the outer SEQUENCE, so the last octet is a
  // signature octet (for ECDSA, the low octet of s): flipping it keeps the DER well-formed.
  der[der.length - 1]! ^= 0x01;
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}
