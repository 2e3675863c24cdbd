// Encryption of an environment CA's private key at rest. Pure: the caller stores the blob and
// supplies the key (from deriveKey at startup, or 32 random bytes from a secret store).
import { createCipheriv, createDecipheriv, randomBytes, scrypt, scryptSync } from 'node:crypto';

// CA private key at rest: AES-256-GCM, blob = "v1.<iv>.<tag>.<ciphertext>" (base64url parts).
// The version prefix is also the GCM additional data, so a blob cannot be relabelled silently.

const BLOB_VERSION = 'v1';
const IV_BYTES = 12; // the GCM-recommended nonce size; random per encryption
const TAG_BYTES = 16;

/** Encrypts a PKCS#8 CA key with AES-256-GCM under a 32-byte key; returns a versioned compact string. */
export function encryptPrivateKey(pkcs8: Uint8Array, key: Buffer): string {
  checkAesKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(BLOB_VERSION, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  return [BLOB_VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Decrypts a blob from encryptPrivateKey; throws PrivateKeyDecryptionError on any tampering or a wrong key. */
export function decryptPrivateKey(blob: string, key: Buffer): Uint8Array {
  checkAesKey(key);
  const parts = typeof blob === 'string' ? blob.split('.') : [];
  if (parts.length !== 4 || parts[0] !== BLOB_VERSION) {
    throw new PrivateKeyDecryptionError(`encrypted CA key is not a "${BLOB_VERSION}.<iv>.<tag>.<ciphertext>" blob`);
  }
  const [, ivB64, tagB64, ctB64] = parts as [string, string, string, string];
  const base64url = /^[A-Za-z0-9_-]+$/;
  if (![ivB64, tagB64, ctB64].every((p) => base64url.test(p))) {
    throw new PrivateKeyDecryptionError('encrypted CA key has a part that is not base64url');
  }
  const iv = Buffer.from(ivB64, 'base64url');
  const tag = Buffer.from(tagB64, 'base64url');
  // Node accepts short GCM tags unless told otherwise; insist on the full 16 bytes.
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new PrivateKeyDecryptionError('encrypted CA key has a truncated IV or authentication tag');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(BLOB_VERSION, 'utf8'));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(Buffer.from(ctB64, 'base64url')), decipher.final()]);
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
  } catch {
    throw new PrivateKeyDecryptionError(
      'encrypted CA key failed authentication: it was tampered with, or the encryption key is wrong',
    );
  }
}

// scrypt, not HKDF: the secret is an operator passphrase, so guessing must be expensive.
// The salt is a fixed label so that every gateway instance derives the same key from the same
// passphrase without storing a salt; the price is that the passphrase itself must be strong.
const KDF_SALT = 'consortium-gateway/ca-private-key/aes-256-gcm/v1';
const KDF_PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const MIN_SECRET_CHARS = 16;

/** Derives the 32-byte AES key from a configured passphrase (scrypt N=2^15,r=8,p=1, fixed salt label); call once at startup. */
export function deriveKey(secret: string): Buffer {
  checkSecret(secret);
  return scryptSync(secret.normalize('NFC'), KDF_SALT, 32, KDF_PARAMS);
}

/** The same key as deriveKey, derived on libuv's thread pool rather than the event loop. */
export function deriveKeyAsync(secret: string): Promise<Buffer> {
  checkSecret(secret);
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), KDF_SALT, 32, KDF_PARAMS, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Refuses a passphrase too short to be one (at start, before any key is derived). */
export function checkSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_CHARS) {
    throw new RangeError(`CA key-encryption secret must be at least ${MIN_SECRET_CHARS} characters`);
  }
}

/** An encrypted CA key that could not be opened: wrong key, tampered, truncated, or unknown format. */
export class PrivateKeyDecryptionError extends Error {
  override readonly name = 'PrivateKeyDecryptionError';
}

function checkAesKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== 32) throw new RangeError('AES-256-GCM key must be a 32-byte Buffer');
}
