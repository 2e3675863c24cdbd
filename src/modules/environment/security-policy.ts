// §8.2 security editing: an environment's client allow-list (CIDR ranges) and the TLS policy of
// its node endpoints, as checked values. Parsing is ipaddr.js's; this file adds the strictness an
// allow-list needs (no octal-looking IPv4, no zone ids, no host bits) and a canonical form, so
// equal lists store equal. Pure: no I/O.
import ipaddr from 'ipaddr.js';
import { badInput } from '../../errors';

/** One allowed client network, normalised. */
export interface CidrRange {
  family: 'IPv4' | 'IPv6';
  /** The network address in canonical form (IPv6 compressed, lower case). */
  network: string;
  prefixLength: number;
  /** `network/prefixLength`. */
  cidr: string;
}

/** At most this many ranges per environment: an allow-list is a short list of client networks. */
export const MAX_ALLOW_LIST_ENTRIES = 100;

const bad = (field: string, message: string) => badInput(`${field}: ${message}`, { field });

/**
 * A CIDR range such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is the one host (/32 or
 * /128). Refused with BAD_USER_INPUT: anything that is not an address, a prefix out of range, an
 * IPv4 address not written as four decimal parts, an IPv6 zone, and host bits set (naming the
 * network that was probably meant).
 */
export function parseCidr(value: unknown, field = 'allowList'): CidrRange {
  if (typeof value !== 'string' || value.trim() === '') throw bad(field, 'a CIDR range such as 10.0.0.0/8 or 2001:db8::/32 is required');
  const text = value.trim();
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? null : text.slice(slash + 1);

  let family: CidrRange['family'];
  if (ipaddr.IPv4.isValidFourPartDecimal(addressText)) family = 'IPv4';
  else if (ipaddr.IPv6.isValid(addressText) && !addressText.includes('%')) family = 'IPv6';
  else throw bad(field, `${JSON.stringify(text)} is not an IPv4 address in four decimal parts or an IPv6 address`);

  const max = family === 'IPv4' ? 32 : 128;
  if (prefixText !== null && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) {
    throw bad(field, `${JSON.stringify(text)}: the prefix length must be a whole number from 0 to ${max}`);
  }
  const prefixLength = prefixText === null ? max : Number(prefixText);
  if (prefixLength > max) throw bad(field, `${JSON.stringify(text)}: an ${family} prefix length is at most ${max}`);

  const cidr = `${addressText}/${prefixLength}`;
  const network = (family === 'IPv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr)).toString();
  const given = ipaddr.parse(addressText).toString();
  if (network !== given) throw bad(field, `${JSON.stringify(text)} has host bits set: the network is ${network}/${prefixLength}`);
  return { family, network, prefixLength, cidr: `${network}/${prefixLength}` };
}

/**
 * An allow-list: every entry checked (the error names its index), duplicates removed, sorted
 * (IPv4 first, then by network and prefix) so that equal lists compare equal. An empty list
 * places no restriction on clients.
 */
export function parseAllowList(values: unknown, field = 'allowList'): CidrRange[] {
  if (!Array.isArray(values)) throw bad(field, 'a list of CIDR ranges is required');
  if (values.length > MAX_ALLOW_LIST_ENTRIES) throw bad(field, `at most ${MAX_ALLOW_LIST_ENTRIES} ranges (got ${values.length})`);
  const byCidr = new Map<string, CidrRange>();
  values.forEach((value, i) => {
    const range = parseCidr(value, `${field}[${i}]`);
    byCidr.set(range.cidr, range);
  });
  return [...byCidr.values()].sort(compareRanges);
}

function compareRanges(a: CidrRange, b: CidrRange): number {
  if (a.family !== b.family) return a.family === 'IPv4' ? -1 : 1;
  const ab = ipaddr.parse(a.network).toByteArray();
  const bb = ipaddr.parse(b.network).toByteArray();
  for (let i = 0; i < ab.length; i++) if (ab[i] !== bb[i]) return ab[i] - bb[i];
  return a.prefixLength - b.prefixLength;
}

/** Does the allow-list admit a client address? An empty list admits every client; IPv4-mapped IPv6 clients count as IPv4. */
export function allowListAdmits(list: readonly CidrRange[], clientAddress: string): boolean {
  if (list.length === 0) return true;
  if (!ipaddr.isValid(clientAddress)) return false;
  const parsed = ipaddr.process(clientAddress);
  return list.some((r) => r.family === parsed.kind().replace('ipv', 'IPv') && parsed.match(ipaddr.parse(r.network), r.prefixLength));
}

/** The lowest TLS version node endpoints accept. */
export enum TlsMinVersion {
  TLS1_2 = 'TLS1_2',
  TLS1_3 = 'TLS1_3',
}

/** The TLS policy of an environment's node endpoints. */
export interface TlsPolicy {
  minVersion: TlsMinVersion;
  /** Mutual TLS: clients present a certificate of the consortium's authority. */
  requireClientCertificate: boolean;
}

/** TLS 1.2 or newer, no client certificate: what endpoints accept until an administrator says otherwise. */
export const DEFAULT_TLS_POLICY: Readonly<TlsPolicy> = Object.freeze({ minVersion: TlsMinVersion.TLS1_2, requireClientCertificate: false });

/** Checks a TLS policy input; unknown versions and non-boolean flags are BAD_USER_INPUT. */
export function parseTlsPolicy(input: { minVersion?: unknown; requireClientCertificate?: unknown }, field = 'tls'): TlsPolicy {
  const minVersion = input.minVersion ?? DEFAULT_TLS_POLICY.minVersion;
  if (!Object.values(TlsMinVersion).includes(minVersion as TlsMinVersion)) {
    throw bad(`${field}.minVersion`, `must be ${Object.values(TlsMinVersion).join(' or ')} (got ${String(minVersion)})`);
  }
  const requireClientCertificate = input.requireClientCertificate ?? DEFAULT_TLS_POLICY.requireClientCertificate;
  if (typeof requireClientCertificate !== 'boolean') throw bad(`${field}.requireClientCertificate`, 'must be true or false');
  return { minVersion: minVersion as TlsMinVersion, requireClientCertificate };
}
