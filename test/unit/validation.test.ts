// The input checks every service shares: ids that can name a row, and free texts.
import { describe, expect, it } from 'vitest';
import { isUuid, requireId, requireText } from '../../src/validation';

const ID = '6F9619FF-8B86-4011-B42D-00C04FC964FF';

describe('ids', () => {
  it('accepts a uuid in either case and nothing else', () => {
    expect(isUuid(ID)).toBe(true);
    expect(isUuid(ID.toLowerCase())).toBe(true);
    for (const bad of ['', 'abc', `${ID}x`, 42, null, undefined]) expect(isUuid(bad)).toBe(false);
  });

  it('answers NOT_FOUND for an id that cannot exist, and lower-cases a valid one', () => {
    expect(requireId(ID, 'User')).toBe(ID.toLowerCase());
    expect(() => requireId('not-an-id', 'User')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('requireText', () => {
  it('trims, and refuses blank, too long and non-text values with BAD_USER_INPUT naming the field', () => {
    expect(requireText('  Trade finance ', 'name', 20)).toBe('Trade finance');
    for (const bad of ['   ', 'x'.repeat(21), 7, null]) {
      expect(() => requireText(bad, 'name', 20)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', details: expect.objectContaining({ field: 'name' }) }));
    }
  });

  it('refuses control characters; a multi-line text keeps line breaks and tabs only', () => {
    expect(() => requireText('two\nlines', 'name', 50)).toThrow(/control characters/);
    expect(requireText('two\nlines\tand a tab', 'reason', 50, { multiline: true })).toBe('two\nlines\tand a tab');
    expect(() => requireText('bell\u0007', 'reason', 50, { multiline: true })).toThrow(/control characters/);
  });
});
