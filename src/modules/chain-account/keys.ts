// §8.2 chain accounts: a public key is checked on input with a cryptography library (a real point
// of a supported curve), and the EVM address is derived from it: the last 20 bytes of the
// Keccak-256 of the uncompressed key without its 0x04 prefix, EIP-55 checksummed. Pure: no I/O.
import { ed25519 } from '@noble/curves/ed25519';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { badInput } from '../../errors';

/** The curves a chain account key may be on. */
export enum KeyCurve {
  SECP256K1 = 'SECP256K1',
  ED25519 = 'ED25519',
}

/** A public key that passed every check, in canonical form. */
export interface PublicKey {
  curve: KeyCurve;
  /** Lower-case hex without 0x: secp256k1 compressed (33 bytes), Ed25519 its 32 bytes. */
  hex: string;
  /** secp256k1 only: the 65-byte uncompressed form (04‖x‖y), lower-case hex without 0x. */
  uncompressedHex: string | null;
}

const HEX = /^(?:0x)?((?:[0-9a-fA-F]{2})*)$/;

function bytesOf(value: unknown, field: string): Uint8Array {
  const match = typeof value === 'string' ? HEX.exec(value.trim()) : null;
  if (!match) throw badInput(`${field} must be a hexadecimal string of whole bytes (0x prefix optional)`, { field });
  return Uint8Array.from(Buffer.from(match[1], 'hex'));
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function parseSecp256k1(bytes: Uint8Array, field: string): PublicKey {
  const prefix = bytes[0];
  const shapeOk = (bytes.length === 33 && (prefix === 0x02 || prefix === 0x03)) || (bytes.length === 65 && prefix === 0x04);
  if (!shapeOk) {
    throw badInput(
      `${field}: a secp256k1 public key is 33 bytes starting 02 or 03 (compressed) or 65 bytes starting 04 (uncompressed); got ${bytes.length} bytes`,
      { field, curve: KeyCurve.SECP256K1, length: bytes.length },
    );
  }
  let point: InstanceType<typeof secp256k1.ProjectivePoint>;
  try {
    point = secp256k1.ProjectivePoint.fromHex(bytes);
    point.assertValidity();
  } catch {
    throw badInput(`${field} is not a point on the secp256k1 curve`, { field, curve: KeyCurve.SECP256K1 });
  }
  return { curve: KeyCurve.SECP256K1, hex: toHex(point.toRawBytes(true)), uncompressedHex: toHex(point.toRawBytes(false)) };
}

function parseEd25519(bytes: Uint8Array, field: string): PublicKey {
  if (bytes.length !== 32) {
    throw badInput(`${field}: an Ed25519 public key is 32 bytes; got ${bytes.length} bytes`, { field, curve: KeyCurve.ED25519, length: bytes.length });
  }
  let point: InstanceType<typeof ed25519.ExtendedPoint>;
  try {
    point = ed25519.ExtendedPoint.fromHex(bytes);
  } catch {
    throw badInput(`${field} is not a point on the Ed25519 curve`, { field, curve: KeyCurve.ED25519 });
  }
  // A small-order point (the identity among them) is a key anyone can sign for.
  if (point.isSmallOrder()) throw badInput(`${field} is a small-order Ed25519 point, not a usable public key`, { field, curve: KeyCurve.ED25519 });
  return { curve: KeyCurve.ED25519, hex: toHex(point.toRawBytes()), uncompressedHex: null };
}

/** Checks a public key of the curve named; wrong lengths, points off the curve and unknown curves are BAD_USER_INPUT. */
export function parsePublicKey(curve: unknown, key: unknown, field = 'publicKey'): PublicKey {
  const bytes = bytesOf(key, field);
  if (curve === KeyCurve.SECP256K1) return parseSecp256k1(bytes, field);
  if (curve === KeyCurve.ED25519) return parseEd25519(bytes, field);
  throw badInput(`unsupported curve ${String(curve)}: use ${Object.values(KeyCurve).join(' or ')}`, { field: 'curve' });
}

/** EIP-55: a letter is upper-case where the matching nibble of the Keccak-256 of the lower-case hex address is 8 or more. */
export function toChecksumAddress(address: string): string {
  const match = /^(?:0x)?([0-9a-fA-F]{40})$/.exec(address);
  if (!match) throw badInput('an address is 20 bytes: 40 hexadecimal digits, 0x prefix optional', { field: 'address' });
  const lower = match[1].toLowerCase();
  const hash = toHex(keccak_256(new TextEncoder().encode(lower)));
  let out = '0x';
  for (let i = 0; i < lower.length; i++) out += parseInt(hash[i], 16) >= 8 ? lower[i].toUpperCase() : lower[i];
  return out;
}

/** True for an address whose mixed case is its EIP-55 checksum (all-lower and all-upper carry no checksum and pass as is). */
export function isChecksumAddress(address: string): boolean {
  const match = /^0x([0-9a-fA-F]{40})$/.exec(address);
  if (!match) return false;
  const body = match[1];
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
  return toChecksumAddress(address) === address;
}

/** The EVM address of a secp256k1 key, EIP-55 checksummed; the EVM clients take no other curve. */
export function evmAddress(key: PublicKey): string {
  if (key.curve !== KeyCurve.SECP256K1 || key.uncompressedHex === null) {
    throw badInput(`an EVM address is derived from a ${KeyCurve.SECP256K1} key, not ${key.curve}`, { field: 'curve' });
  }
  const xy = Buffer.from(key.uncompressedHex, 'hex').subarray(1);
  return toChecksumAddress(toHex(keccak_256(xy).subarray(12)));
}
