import { describe, expect, it } from 'vitest';
import {
  CHAIN_ID_MAX,
  CHAIN_ID_MIN,
  ChainClient,
  Consensus,
  RELEASES,
  SUPPORTED_CONSENSUS,
  chainIdFor,
  compareReleases,
  latestRelease,
  validateEnvironmentSpec,
  validateUpgrade,
} from '../../src/modules/environment/catalog';

const clients = Object.values(ChainClient);

describe('catalog data', () => {
  it('string enums have value === key', () => {
    for (const e of [ChainClient, Consensus]) {
      for (const [k, v] of Object.entries(e)) expect(v).toBe(k);
    }
    expect(clients.sort()).toEqual(['BESU', 'GETH', 'POLYGON_EDGE', 'QUORUM']);
    expect(Object.values(Consensus).sort()).toEqual(['IBFT', 'POA', 'QBFT', 'RAFT']);
  });

  it('supports the expected consensus per client, and RAFT only with QUORUM', () => {
    expect([...SUPPORTED_CONSENSUS.QUORUM].sort()).toEqual(['IBFT', 'QBFT', 'RAFT']);
    expect([...SUPPORTED_CONSENSUS.BESU].sort()).toEqual(['IBFT', 'POA', 'QBFT']);
    expect([...SUPPORTED_CONSENSUS.GETH]).toEqual(['POA']);
    expect([...SUPPORTED_CONSENSUS.POLYGON_EDGE]).toEqual(['IBFT']);
    expect(clients.filter((c) => SUPPORTED_CONSENSUS[c].includes(Consensus.RAFT))).toEqual(['QUORUM']);
  });

  it('lists 3-5 well-formed releases per client, strictly ascending by semver', () => {
    for (const c of clients) {
      const list = RELEASES[c];
      expect(list.length).toBeGreaterThanOrEqual(3);
      expect(list.length).toBeLessThanOrEqual(5);
      for (let i = 1; i < list.length; i++) expect(compareReleases(list[i]!, list[i - 1]!)).toBeGreaterThan(0);
    }
  });

  it('is frozen, so a caller cannot change the catalog at run time', () => {
    expect(() => (RELEASES.GETH as string[]).push('9.9.9')).toThrow();
    expect(Object.isFrozen(SUPPORTED_CONSENSUS)).toBe(true);
  });
});

describe('compareReleases / latestRelease', () => {
  it('compares numerically, not as strings', () => {
    expect(compareReleases('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareReleases('1.9.0', '1.10.0')).toBeLessThan(0);
    expect(compareReleases('24.12.2', '24.9.1')).toBeGreaterThan(0);
    expect(compareReleases('2.0.0', '10.0.0')).toBeLessThan(0);
    expect(compareReleases('1.2.10', '1.2.9')).toBeGreaterThan(0);
    expect(compareReleases('1.2.3', '1.2.3')).toBe(0);
    expect(() => compareReleases('1.2', '1.2.3')).toThrow(RangeError);
    expect(() => compareReleases('v1.2.3', '1.2.3')).toThrow(RangeError);
  });

  it('returns the newest release of each client', () => {
    expect(latestRelease(ChainClient.GETH)).toBe('1.13.15');
    expect(latestRelease(ChainClient.QUORUM)).toBe('24.4.1');
    expect(latestRelease(ChainClient.BESU)).toBe('25.7.0');
    expect(latestRelease(ChainClient.POLYGON_EDGE)).toBe('1.3.2');
    expect(() => latestRelease('NOPE' as ChainClient)).toThrow(RangeError);
  });
});

describe('validateEnvironmentSpec', () => {
  it('accepts a supported combination and defaults the release to the latest', () => {
    expect(validateEnvironmentSpec({ client: 'BESU', consensus: 'QBFT' })).toEqual({ ok: true, release: '25.7.0' });
    expect(validateEnvironmentSpec({ client: ChainClient.QUORUM, consensus: Consensus.RAFT, release: null })).toEqual({
      ok: true,
      release: '24.4.1',
    });
    expect(validateEnvironmentSpec({ client: 'GETH', consensus: 'POA', release: '1.12.2', maxSigners: 7 })).toEqual({
      ok: true,
      release: '1.12.2',
    });
  });

  it('refuses unknown clients and consensus', () => {
    expect(validateEnvironmentSpec({ client: 'PARITY', consensus: 'POA' })).toMatchObject({ ok: false, field: 'client' });
    expect(validateEnvironmentSpec({ client: 'geth', consensus: 'POA' })).toMatchObject({ ok: false, field: 'client' });
    expect(validateEnvironmentSpec({ client: 'toString', consensus: 'POA' })).toMatchObject({ ok: false, field: 'client' });
    expect(validateEnvironmentSpec({ client: 'BESU', consensus: 'POW' })).toMatchObject({ ok: false, field: 'consensus' });
  });

  it('refuses RAFT with anything but QUORUM, and other unsupported pairs', () => {
    for (const client of ['GETH', 'BESU', 'POLYGON_EDGE']) {
      const r = validateEnvironmentSpec({ client, consensus: 'RAFT' });
      expect(r).toMatchObject({ ok: false, field: 'consensus' });
      expect(!r.ok && r.reason).toContain('only available with QUORUM');
    }
    expect(validateEnvironmentSpec({ client: 'GETH', consensus: 'QBFT' })).toMatchObject({ ok: false, field: 'consensus' });
    expect(validateEnvironmentSpec({ client: 'POLYGON_EDGE', consensus: 'POA' })).toMatchObject({ ok: false, field: 'consensus' });
    expect(validateEnvironmentSpec({ client: 'QUORUM', consensus: 'POA' })).toMatchObject({ ok: false, field: 'consensus' });
  });

  it('names an unknown release in the reason', () => {
    const r = validateEnvironmentSpec({ client: 'GETH', consensus: 'POA', release: '1.15.11' });
    expect(r).toMatchObject({ ok: false, field: 'release' });
    expect(!r.ok && r.reason).toContain('"1.15.11"');
    // a release of another client is not a release of this one
    expect(validateEnvironmentSpec({ client: 'GETH', consensus: 'POA', release: '25.7.0' })).toMatchObject({ ok: false });
  });

  it('accepts maxSigners only as an integer from 1 to 64', () => {
    const spec = { client: 'BESU', consensus: 'IBFT' };
    for (const ok of [1, 4, 64, null, undefined]) expect(validateEnvironmentSpec({ ...spec, maxSigners: ok }).ok).toBe(true);
    for (const bad of [0, -1, 65, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(validateEnvironmentSpec({ ...spec, maxSigners: bad })).toMatchObject({ ok: false, field: 'maxSigners' });
    }
  });
});

describe('validateUpgrade', () => {
  it('allows only a strictly newer catalog release of the same client, compared numerically', () => {
    // String comparison would call 24.12.2 older than 24.9.1.
    expect(validateUpgrade('BESU', '24.9.1', '24.12.2')).toEqual({ ok: true, release: '24.12.2' });
    expect(validateUpgrade('BESU', '24.12.2', '24.9.1')).toMatchObject({ ok: false, field: 'release' });
    expect(validateUpgrade('GETH', '1.9.25', '1.13.15')).toEqual({ ok: true, release: '1.13.15' });
    expect(validateUpgrade('QUORUM', '23.4.0', '24.4.1')).toMatchObject({ ok: true });
  });

  it('refuses same release, downgrades, foreign or unknown releases, and malformed input', () => {
    const same = validateUpgrade('BESU', '25.4.1', '25.4.1');
    expect(same).toMatchObject({ ok: false, field: 'release' });
    expect(!same.ok && same.reason).toContain('already');
    const down = validateUpgrade('BESU', '25.7.0', '25.4.1');
    expect(!down.ok && down.reason).toContain('downgrade');
    expect(validateUpgrade('GETH', '1.12.2', '24.4.1')).toMatchObject({ ok: false, field: 'release' });
    expect(validateUpgrade('GETH', 'latest', '1.13.15')).toMatchObject({ ok: false, field: 'release' });
    expect(validateUpgrade('NOPE', '1.0.0', '1.13.15')).toMatchObject({ ok: false, field: 'client' });
  });
});

describe('chainIdFor', () => {
  it('is deterministic, stable across versions, and in range', () => {
    const id = '3f1c0a52-8d5e-4f7a-9b8c-1d2e3f4a5b6c';
    expect(chainIdFor(id)).toBe(chainIdFor(id));
    // Pinned: a change in the derivation would renumber every existing chain.
    expect(chainIdFor(id)).toBe(PINNED_CHAIN_ID);
    for (let i = 0; i < 2000; i++) {
      const c = chainIdFor(`env-${i}`);
      expect(Number.isSafeInteger(c)).toBe(true);
      expect(c).toBeGreaterThanOrEqual(CHAIN_ID_MIN);
      expect(c).toBeLessThanOrEqual(CHAIN_ID_MAX);
    }
    expect(2 * CHAIN_ID_MAX + 36).toBeLessThanOrEqual(2 ** 32 - 1);
  });

  it('differs between environments', () => {
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => chainIdFor(`environment-${i}`)));
    expect(ids.size).toBe(1000);
    expect(() => chainIdFor('')).toThrow(RangeError);
  });
});

const PINNED_CHAIN_ID = 1_657_134_791;
