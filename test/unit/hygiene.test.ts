// The pure pieces of input and error hygiene, and their configuration.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { echo } from '../../src/errors';
import { capMessage, clientMessage, MAX_ERROR_MESSAGE_LENGTH, withoutSuggestions } from '../../src/graphql/error-hygiene';
import { malformedStringPath } from '../../src/graphql/input-hygiene';
import { isWellFormedText } from '../../src/validation';

const secrets = { JWT_SECRET: 'a-secret-of-at-least-thirty-two-bytes!!', CA_KEY_SECRET: 'another-secret-0123456789', NODE_ENV: 'production' };

describe('well-formed text', () => {
  it.each([
    ['plain text', 'Letters of credit', true],
    ['tabs and line breaks', 'a\tb\r\nc', true],
    ['a paired surrogate (an emoji)', 'deal 🤝 done', true],
    ['a NUL', 'a\u0000b', false],
    ['a lone high surrogate', 'a\ud83e', false],
    ['a lone high surrogate at the end after a pair', '🤝\ud83e', false],
    ['a lone low surrogate', '\udd1d b', false],
    ['reversed pair', '\udd1d\ud83e', false],
  ])('%s', (_label, text, ok) => {
    expect(isWellFormedText(text)).toBe(ok);
  });

  it('names the path of the first malformed string in an argument', () => {
    expect(malformedStringPath({ name: 'ok', tags: ['fine', 'bad\u0000'] }, 'input')).toBe('input.tags[1]');
    expect(malformedStringPath({ name: 'ok', count: 3, nested: null }, 'input')).toBeNull();
  });
});

describe('client error messages', () => {
  it('drop graphql-js suggestions', () => {
    expect(withoutSuggestions('Cannot query field "mee" on type "Query". Did you mean "me"?')).toBe('Cannot query field "mee" on type "Query".');
    expect(withoutSuggestions('Value "OWNR" does not exist in "AccountRole" enum. Did you mean the enum value "OWNER"?')).toBe(
      'Value "OWNR" does not exist in "AccountRole" enum.',
    );
    expect(clientMessage('Unknown x. Did you mean "y"?', false)).toBe('Unknown x. Did you mean "y"?');
  });

  it('are capped, and echo at most 100 characters of an id', () => {
    expect(capMessage('x'.repeat(10_000))).toHaveLength(MAX_ERROR_MESSAGE_LENGTH);
    expect(capMessage('short')).toBe('short');
    expect(echo('a'.repeat(1_000_000))).toBe(`${'a'.repeat(100)}…`);
  });
});

describe('configuration', () => {
  it('JWT_MAX_TTL defaults to 24 h and COMPILE_MAX_PER_ORG to 1', () => {
    const c = loadConfig(secrets);
    expect(c.jwt.maxTtlSeconds).toBe(86_400);
    expect(c.compiler.maxPerOrganization).toBe(1);
  });

  it('refuses a JWT_MAX_TTL or COMPILE_MAX_PER_ORG out of range', () => {
    expect(() => loadConfig({ ...secrets, JWT_MAX_TTL: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...secrets, JWT_MAX_TTL: '1d' })).toThrow(/JWT_MAX_TTL/);
    expect(() => loadConfig({ ...secrets, COMPILE_MAX_PER_ORG: '0' })).toThrow(/COMPILE_MAX_PER_ORG/);
    expect(loadConfig({ ...secrets, JWT_MAX_TTL: '3600' }).jwt.maxTtlSeconds).toBe(3600);
  });
});
