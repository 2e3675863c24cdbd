// The read path parses arrays of strings with postgres-array 3 (src/db/reader.ts) where
// node-postgres would use its own, older parser. Whatever PostgreSQL sends, each value must come
// out as node-postgres' parser gives it, and as written: compared here on arrays holding every
// case of PostgreSQL's array output (quoting, escapes, NULL and "NULL", empty strings, braces,
// delimiters, white space, non-ASCII, several dimensions, empty and null arrays).
import { types } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SqlReader } from '../../src/db/reader';

const reader = new SqlReader(inject('databaseUrl'), 1);
afterAll(() => reader.close());

const CASES: { name: string; sql: string; expected: unknown }[] = [
  { name: 'plain words', sql: `array['INVITE_ORGANIZATIONS', 'CREATE_SIGNERS']`, expected: ['INVITE_ORGANIZATIONS', 'CREATE_SIGNERS'] },
  { name: 'empty', sql: `array[]::text[]`, expected: [] },
  { name: 'null array', sql: `null::text[]`, expected: null },
  { name: 'NULL and "NULL"', sql: `array[null, 'NULL', 'null', '']`, expected: [null, 'NULL', 'null', ''] },
  { name: 'quotes and backslashes', sql: `array['a"b', 'c\\d', '\\"', '"', '\\', 'e\\\\f']`, expected: ['a"b', 'c\\d', '\\"', '"', '\\', 'e\\\\f'] },
  { name: 'delimiters, braces, white space', sql: `array['a,b', '{c}', ' d ', 'e f', E'g\\nh', E'\\t']`, expected: ['a,b', '{c}', ' d ', 'e f', 'g\nh', '\t'] },
  { name: 'non-ASCII', sql: `array['é', '😀', 'ﬁ', '中文']`, expected: ['é', '😀', 'ﬁ', '中文'] },
  { name: 'CIDRs and addresses', sql: `array['10.0.0.0/8', '2001:db8::/32']`, expected: ['10.0.0.0/8', '2001:db8::/32'] },
  { name: 'two dimensions', sql: `array[array['a', null], array['{', '"x"']]`, expected: [['a', null], ['{', '"x"']] },
  { name: 'bounds other than 1', sql: `'[0:1]={x,y}'::text[]`, expected: ['x', 'y'] },
  { name: 'varchar[]', sql: `array['v,1', null]::varchar[]`, expected: ['v,1', null] },
];

describe('arrays of strings read by the read path', () => {
  it.each(CASES)('$name: as written, and as node-postgres parses it', async ({ sql, expected }) => {
    const [[value, text, oid]] = await reader.arrays(`select ${sql}, (${sql})::text, pg_typeof(${sql})::oid::int`);
    expect(value).toEqual(expected);
    const nodePostgres = text === null ? null : types.getTypeParser(oid as number, 'text')(text as string);
    expect(value).toEqual(nodePostgres);
  });
});
