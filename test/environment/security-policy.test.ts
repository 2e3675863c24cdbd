import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import {
  DEFAULT_TLS_POLICY,
  MAX_ALLOW_LIST_ENTRIES,
  allowListAdmits,
  parseAllowList,
  parseCidr,
  parseTlsPolicy,
} from '../../src/modules/environment/security-policy';

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

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', 'IPv4', '10.0.0.0/8'],
    [' 192.168.1.0/24 ', 'IPv4', '192.168.1.0/24'],
    ['0.0.0.0/0', 'IPv4', '0.0.0.0/0'],
    ['203.0.113.7', 'IPv4', '203.0.113.7/32'],
    ['2001:DB8::/32', 'IPv6', '2001:db8::/32'],
    ['2001:0db8:0000:0000:0000:0000:0000:0000/48', 'IPv6', '2001:db8::/48'],
    ['::/0', 'IPv6', '::/0'],
    ['fe80::1', 'IPv6', 'fe80::1/128'],
  ])('%s → %s %s', (input, family, cidr) => {
    expect(parseCidr(input)).toMatchObject({ family, cidr });
  });

  it.each([
    ['not an address', 'example.com/24', /not an IPv4 address/],
    ['octal-looking IPv4', '010.0.0.0/8', /four decimal parts/],
    ['short IPv4', '10.1/16', /four decimal parts/],
    ['IPv4 prefix over 32', '10.0.0.0/33', /at most 32/],
    ['IPv6 prefix over 128', '2001:db8::/129', /at most 128/],
    ['a prefix that is not a number', '10.0.0.0/8a', /whole number/],
    ['a negative prefix', '10.0.0.0/-1', /whole number/],
    ['an empty prefix', '10.0.0.0/', /whole number/],
    ['an IPv6 zone', 'fe80::1%eth0/64', /not an IPv4 address/],
    ['blank', '  ', /required/],
  ])('%s is refused', (_label, input, message) => {
    expect(badInput(() => parseCidr(input)).message).toMatch(message);
  });

  it('host bits set: refused, naming the network probably meant', () => {
    expect(badInput(() => parseCidr('10.1.2.3/8')).message).toContain('the network is 10.0.0.0/8');
    expect(badInput(() => parseCidr('2001:db8::1/32')).message).toContain('the network is 2001:db8::/32');
  });

  it('a value that is not a string is refused', () => {
    badInput(() => parseCidr(42));
  });
});

describe('parseAllowList', () => {
  it('normalises, removes duplicates and sorts IPv4 before IPv6', () => {
    const list = parseAllowList(['2001:db8::/32', '192.168.0.0/16', '10.0.0.0/8', '10.0.0.0/8', '2001:DB8::/32', '10.0.0.0/16']);
    expect(list.map((r) => r.cidr)).toEqual(['10.0.0.0/8', '10.0.0.0/16', '192.168.0.0/16', '2001:db8::/32']);
  });

  it('names the index of a bad entry', () => {
    const error = badInput(() => parseAllowList(['10.0.0.0/8', 'nope']));
    expect(error.details).toEqual({ field: 'allowList[1]' });
  });

  it('refuses a list that is too long, or not a list', () => {
    badInput(() => parseAllowList(Array.from({ length: MAX_ALLOW_LIST_ENTRIES + 1 }, (_, i) => `10.0.${i}.0/24`)));
    expect(parseAllowList(Array.from({ length: MAX_ALLOW_LIST_ENTRIES }, (_, i) => `10.0.${i}.0/24`))).toHaveLength(MAX_ALLOW_LIST_ENTRIES);
    badInput(() => parseAllowList('10.0.0.0/8'));
  });
});

describe('allowListAdmits', () => {
  const list = parseAllowList(['10.0.0.0/8', '2001:db8::/32']);
  it.each([
    ['10.200.1.1', true],
    ['11.0.0.1', false],
    ['::ffff:10.1.2.3', true],
    ['2001:db8:1::5', true],
    ['2001:db9::1', false],
    ['garbage', false],
  ])('%s → %s', (client, admitted) => {
    expect(allowListAdmits(list, client)).toBe(admitted);
  });

  it('an empty list admits every client', () => {
    expect(allowListAdmits([], '198.51.100.1')).toBe(true);
  });
});

describe('parseTlsPolicy', () => {
  it('defaults to TLS 1.2 without client certificates', () => {
    expect(parseTlsPolicy({})).toEqual(DEFAULT_TLS_POLICY);
  });

  it('takes TLS 1.3 and mutual TLS', () => {
    expect(parseTlsPolicy({ minVersion: 'TLS1_3', requireClientCertificate: true })).toEqual({ minVersion: 'TLS1_3', requireClientCertificate: true });
  });

  it.each([
    [{ minVersion: 'TLS1_0' }, 'tls.minVersion'],
    [{ minVersion: 'SSL3' }, 'tls.minVersion'],
    [{ requireClientCertificate: 'yes' }, 'tls.requireClientCertificate'],
  ])('%j is refused naming %s', (input, field) => {
    expect(badInput(() => parseTlsPolicy(input)).details).toEqual({ field });
  });
});
