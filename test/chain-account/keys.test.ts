import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { KeyCurve, evmAddress, isChecksumAddress, parsePublicKey, toChecksumAddress } from '../../src/modules/chain-account/keys';

// The generator point G of secp256k1 is the public key of private key 1; its Ethereum address is
// the well-known 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf.
const G_X = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
const G_Y = '483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8';
const G_UNCOMPRESSED = `04${G_X}${G_Y}`;
const G_COMPRESSED = `02${G_X}`; // y is even
const G_ADDRESS = '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf';
// RFC 8032 §7.1, TEST 1: an Ed25519 public key.
const ED25519_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

function badInput(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_USER_INPUT');
    return err as AppError;
  }
  throw new Error('expected BAD_USER_INPUT, nothing was thrown');
}

describe('EIP-55 checksum: the published test vectors', () => {
  // ERC-55 "Test Cases": all caps, all lower, normal.
  const vectors = [
    '0x52908400098527886E0F7030069857D2E4169EE7',
    '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
    '0xde709f2102306220921060314715629080e2fb77',
    '0x27b1fdb04752bbc536007a920d24acb045561c26',
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ];

  it.each(vectors)('%s', (address) => {
    expect(toChecksumAddress(address.toLowerCase())).toBe(address);
    expect(toChecksumAddress(address.slice(2).toUpperCase())).toBe(address);
    expect(isChecksumAddress(address)).toBe(true);
  });

  it('a mistyped case fails the checksum', () => {
    expect(isChecksumAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toBe(false);
  });

  it('an address of the wrong length is BAD_USER_INPUT', () => {
    badInput(() => toChecksumAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA'));
  });
});

describe('secp256k1 keys and their EVM address', () => {
  it('private key 1 → 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf, from the uncompressed key', () => {
    const key = parsePublicKey(KeyCurve.SECP256K1, `0x${G_UNCOMPRESSED}`);
    expect(key).toEqual({ curve: KeyCurve.SECP256K1, hex: G_COMPRESSED, uncompressedHex: G_UNCOMPRESSED });
    expect(evmAddress(key)).toBe(G_ADDRESS);
  });

  it('the compressed key gives the same address; hex case does not matter', () => {
    expect(evmAddress(parsePublicKey(KeyCurve.SECP256K1, G_COMPRESSED.toUpperCase()))).toBe(G_ADDRESS);
  });

  it('a point off the curve is refused', () => {
    const offCurve = `04${G_X}${G_Y.slice(0, -1)}9`;
    expect(badInput(() => parsePublicKey(KeyCurve.SECP256K1, offCurve)).message).toMatch(/not a point on the secp256k1 curve/);
    // x = 0 has no y on secp256k1 (0 + 7 is not a square).
    badInput(() => parsePublicKey(KeyCurve.SECP256K1, `02${'00'.repeat(32)}`));
  });

  it.each([
    ['32 bytes', `${G_X}`],
    ['34 bytes', `${G_COMPRESSED}00`],
    ['64 bytes without the 04 prefix', `${G_X}${G_Y}`],
    ['a compressed length with the uncompressed prefix', `04${G_X}`],
    ['65 bytes with a compressed prefix', `02${G_X}${G_Y}`],
    ['nothing', ''],
  ])('wrong shape: %s', (_label, hex) => {
    const error = badInput(() => parsePublicKey(KeyCurve.SECP256K1, hex));
    expect(error.details).toMatchObject({ field: 'publicKey', curve: KeyCurve.SECP256K1 });
  });

  it.each([['not hex', 'zz'], ['an odd number of digits', '0x123'], ['not a string', 42]])('%s is refused', (_label, value) => {
    expect(badInput(() => parsePublicKey(KeyCurve.SECP256K1, value)).message).toMatch(/hexadecimal/);
  });
});

describe('Ed25519 keys', () => {
  it('the RFC 8032 test key is accepted; it has no EVM address', () => {
    const key = parsePublicKey(KeyCurve.ED25519, ED25519_KEY);
    expect(key).toEqual({ curve: KeyCurve.ED25519, hex: ED25519_KEY, uncompressedHex: null });
    badInput(() => evmAddress(key));
  });

  it('32 bytes that decode to no point are refused', () => {
    expect(badInput(() => parsePublicKey(KeyCurve.ED25519, '02'.repeat(32))).message).toMatch(/not a point on the Ed25519 curve/);
  });

  it('the identity (a small-order point) is refused', () => {
    expect(badInput(() => parsePublicKey(KeyCurve.ED25519, `01${'00'.repeat(31)}`)).message).toMatch(/small-order/);
  });

  it('a secp256k1-sized key is the wrong length for Ed25519', () => {
    badInput(() => parsePublicKey(KeyCurve.ED25519, G_COMPRESSED));
  });
});

describe('curves', () => {
  it.each(['P256', 'secp256k1', undefined])('unsupported curve %s is BAD_USER_INPUT naming the supported ones', (curve) => {
    const error = badInput(() => parsePublicKey(curve, G_COMPRESSED));
    expect(error.message).toContain('SECP256K1 or ED25519');
    expect(error.details).toEqual({ field: 'curve' });
  });
});
