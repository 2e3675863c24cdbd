// The environment catalog as data: which chain clients exist, which consensus each supports and
// which releases may be deployed (spec §1 Environment, §4 environment.create / environment.update).
// Pure module: callers turn a { ok: false, field, reason } into their own error type.
import { createHash } from 'node:crypto';

export enum ChainClient {
  GETH = 'GETH',
  QUORUM = 'QUORUM',
  BESU = 'BESU',
  POLYGON_EDGE = 'POLYGON_EDGE',
}

export enum Consensus {
  IBFT = 'IBFT',
  QBFT = 'QBFT',
  /** Clique proof-of-authority. */
  POA = 'POA',
  RAFT = 'RAFT',
}

/** Which consensus each client can run. RAFT exists only in GoQuorum. */
export const SUPPORTED_CONSENSUS: Readonly<Record<ChainClient, readonly Consensus[]>> = Object.freeze({
  [ChainClient.GETH]: Object.freeze([Consensus.POA]),
  [ChainClient.QUORUM]: Object.freeze([Consensus.RAFT, Consensus.IBFT, Consensus.QBFT]),
  [ChainClient.BESU]: Object.freeze([Consensus.IBFT, Consensus.QBFT, Consensus.POA]),
  [ChainClient.POLYGON_EDGE]: Object.freeze([Consensus.IBFT]),
});

/**
 * Deployable releases per client, oldest first (a test checks the order numerically).
 * GETH stops at 1.13.x on purpose: geth 1.14.0 removed Clique block signing, and POA is the
 * only consensus GETH offers here, so a 1.14+ chain could not produce blocks.
 * BESU includes 24.9.1 next to 24.12.2: the pair where comparing strings gets the order wrong.
 */
export const RELEASES: Readonly<Record<ChainClient, readonly string[]>> = Object.freeze({
  [ChainClient.GETH]: Object.freeze(['1.11.6', '1.12.2', '1.13.15']),
  [ChainClient.QUORUM]: Object.freeze(['23.4.0', '24.4.0', '24.4.1']),
  [ChainClient.BESU]: Object.freeze(['24.9.1', '24.12.2', '25.4.1', '25.7.0']),
  [ChainClient.POLYGON_EDGE]: Object.freeze(['1.3.0', '1.3.1', '1.3.2']),
});

/** The limited-signers parameter: bounds chosen for BFT/Clique validator sets a consortium runs. */
export const MAX_SIGNERS_RANGE = Object.freeze({ min: 1, max: 64 });

export type ValidationResult = { ok: true; release: string } | { ok: false; field: string; reason: string };

type Semver = readonly [number, number, number];
const SEMVER = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

/** Parses "MAJOR.MINOR.PATCH" (no prerelease, no leading "v") into numbers; null when malformed. */
export function parseRelease(release: string): Semver | null {
  const m = typeof release === 'string' ? SEMVER.exec(release) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Numeric semver order (negative, 0, positive), so '1.10.0' > '1.9.0'; throws on a malformed release. */
export function compareReleases(a: string, b: string): number {
  const pa = parseRelease(a);
  const pb = parseRelease(b);
  if (!pa || !pb) throw new RangeError(`not a MAJOR.MINOR.PATCH release: ${pa ? b : a}`);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  }
  return 0;
}

/** True when the string is one of the ChainClient values (input from GraphQL/JSON is untyped). */
export function isChainClient(value: unknown): value is ChainClient {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RELEASES, value);
}

/** True when the string is one of the Consensus values. */
export function isConsensus(value: unknown): value is Consensus {
  return typeof value === 'string' && (Object.values(Consensus) as string[]).includes(value);
}

/** The newest release of a client, by numeric semver order (not by list position). */
export function latestRelease(client: ChainClient): string {
  const releases = RELEASES[client];
  if (!releases?.length) throw new RangeError(`unknown chain client: ${String(client)}`);
  return releases.reduce((best, r) => (compareReleases(r, best) > 0 ? r : best));
}

/** Validates a new environment's client, consensus, release (default: latest) and optional maxSigners (integer 1..64). */
export function validateEnvironmentSpec(spec: {
  client: ChainClient | string;
  consensus: Consensus | string;
  release?: string | null;
  maxSigners?: number | null;
}): ValidationResult {
  const { client, consensus, release, maxSigners } = spec;
  if (!isChainClient(client)) {
    return fail('client', `unknown chain client "${String(client)}"; expected one of ${list(Object.values(ChainClient))}`);
  }
  if (!isConsensus(consensus)) {
    return fail('consensus', `unknown consensus "${String(consensus)}"; expected one of ${list(Object.values(Consensus))}`);
  }
  const supported = SUPPORTED_CONSENSUS[client];
  if (!supported.includes(consensus)) {
    const raftHint = consensus === Consensus.RAFT ? ' (RAFT is only available with QUORUM)' : '';
    return fail('consensus', `${client} does not support ${consensus}${raftHint}; supported: ${list(supported)}`);
  }
  let chosen: string;
  if (release === undefined || release === null) {
    chosen = latestRelease(client);
  } else if (!RELEASES[client].includes(release)) {
    return fail('release', `unknown ${client} release "${String(release)}"; available: ${list(RELEASES[client])}`);
  } else {
    chosen = release;
  }
  if (maxSigners !== undefined && maxSigners !== null) {
    const { min, max } = MAX_SIGNERS_RANGE;
    if (!Number.isInteger(maxSigners) || maxSigners < min || maxSigners > max) {
      return fail('maxSigners', `maxSigners must be an integer from ${min} to ${max}, got ${String(maxSigners)}`);
    }
  }
  return { ok: true, release: chosen };
}

/**
 * Validates an upgrade: toRelease must be a catalog release of the same client, strictly newer (numerically) than fromRelease.
 * fromRelease only has to be well-formed: a running environment may be on a release since retired from the catalog.
 */
export function validateUpgrade(client: ChainClient | string, fromRelease: string, toRelease: string): ValidationResult {
  if (!isChainClient(client)) return fail('client', `unknown chain client "${String(client)}"`);
  if (!parseRelease(fromRelease)) return fail('release', `current release "${String(fromRelease)}" is not MAJOR.MINOR.PATCH`);
  if (!RELEASES[client].includes(toRelease)) {
    return fail('release', `unknown ${client} release "${String(toRelease)}"; available: ${list(RELEASES[client])}`);
  }
  const order = compareReleases(toRelease, fromRelease);
  if (order === 0) return fail('release', `environment already runs ${client} ${fromRelease}`);
  if (order < 0) return fail('release', `cannot downgrade ${client} from ${fromRelease} to ${toRelease}; only newer releases`);
  return { ok: true, release: toRelease };
}

// Range for generated chain ids. Below: clear of the small ids public networks and dev tools use
// (1, 137, 1337, 31337…). Above: EIP-155 v = 2*chainId + 36 still fits in 32 bits, which some
// wallets and signing devices require; it is also far below the EIP-2294 ceiling.
export const CHAIN_ID_MIN = 1_000_000;
export const CHAIN_ID_MAX = 2_147_483_629;

/**
 * Deterministic EVM chain id for an environment: SHA-256 of a labelled id, mapped into
 * [CHAIN_ID_MIN, CHAIN_ID_MAX]. Stable across releases: changing the label or range is a breaking change.
 */
export function chainIdFor(environmentId: string): number {
  if (typeof environmentId !== 'string' || environmentId.length === 0) {
    throw new RangeError('environmentId must be a non-empty string');
  }
  const digest = createHash('sha256').update(`consortium-gateway/chain-id/v1:${environmentId}`, 'utf8').digest();
  // 64 bits of hash reduced modulo ~2^31: the modulo bias is below 2^-32, negligible.
  const span = BigInt(CHAIN_ID_MAX - CHAIN_ID_MIN + 1);
  return CHAIN_ID_MIN + Number(digest.readBigUInt64BE(0) % span);
}

function fail(field: string, reason: string): ValidationResult {
  return { ok: false, field, reason };
}

function list(items: readonly string[]): string {
  return items.join(', ');
}

/**
 * §8.2 key rotation "keeps the address only where the chain allows (a recovery key)": whether a
 * client's accounts can take a new key under their address. Every client here is an EVM client,
 * whose address is the Keccak-256 of the key itself, so none can: a rotation makes a new account.
 */
export const ALLOWS_RECOVERY_KEY: Readonly<Record<ChainClient, boolean>> = Object.freeze({
  [ChainClient.GETH]: false,
  [ChainClient.QUORUM]: false,
  [ChainClient.BESU]: false,
  [ChainClient.POLYGON_EDGE]: false,
});
