// A corpus of malformed inputs generated from the schema: for every argument (and every field
// of an input object) of the root fields given, a request whose other arguments are well-formed
// and whose one value is malformed — of the wrong type, with NUL characters or unpaired
// surrogates, huge, an extreme number or date, a bad id or cursor.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';

/** Real ids of the seeded world, by the kind of thing they name. */
export interface IdPool {
  organization: string;
  otherOrganization: string;
  consortium: string;
  membership: string;
  environment: string;
  node: string;
  compilation: string;
  invitation: string;
  user: string;
}

export interface FuzzCase {
  /** `Mutation.createNode: input.name ← NUL` */
  label: string;
  field: string;
  query: string;
  variables: Record<string, unknown>;
}

/** Past every length limit of the API (the largest, MAX_SOURCE_BYTES, is 256 KiB by default). */
const HUGE = 'x'.repeat(300_000);
const RANDOM_UUID = '6f1d7c1e-8a43-4c5e-9b1e-2d7f0a9c4b11';
const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const NOW = '2026-01-01T00:00:00.000Z';

/** Malformed values of a string, by what they test. */
const BAD_STRINGS: [string, unknown][] = [
  ['NUL', 'a\u0000b'],
  ['lone high surrogate', 'ab\ud800'],
  ['lone low surrogate', '\udc00cd'],
  ['300k characters', HUGE],
  ['a number (wrong type)', 12.5],
  ['an object (wrong type)', { nested: 'x' }],
];

const BAD_IDS: [string, unknown][] = [
  ['NUL', `${RANDOM_UUID}\u0000`],
  ['lone surrogate', `\ud800${RANDOM_UUID.slice(1)}`],
  ['not a uuid', "1' or '1'='1"],
  ['an unknown uuid', RANDOM_UUID],
  ['300k characters', HUGE],
  ['a list (wrong type)', [RANDOM_UUID]],
];

const BAD_CURSORS: [string, unknown][] = [
  ['cursor with a non-uuid id', cursor([NOW, 'not-a-uuid'])],
  ['cursor in year 275760', cursor(['+275760-09-13T00:00:00.000Z', RANDOM_UUID])],
  ['cursor in year -271821', cursor(['-271821-04-20T00:00:00.000Z', RANDOM_UUID])],
  ['cursor with NUL in its id', cursor([NOW, `${RANDOM_UUID}\u0000`])],
  ['cursor that is no JSON', '!!not-base64!!'],
  ['cursor of an object', cursor({ createdAt: NOW })],
  ['cursor of numbers', cursor([1e308, 1e308])],
];

const BAD_INTS: [string, unknown][] = [
  ['2^31', 2 ** 31],
  ['-2^31 - 1', -(2 ** 31) - 1],
  ['-1', -1],
  ['0', 0],
  ['1.5', 1.5],
  ['a numeric string (wrong type)', '1'],
  ['1e308', 1e308],
];

const BAD_FLOATS: [string, unknown][] = [
  ['1e308', 1e308],
  ['-1', -1],
  ['2^53 + 2', 2 ** 53 + 2],
  ['a string (wrong type)', 'NaN'],
];

const BAD_BOOLEANS: [string, unknown][] = [['a string (wrong type)', 'true']];
const BAD_ENUMS: [string, unknown][] = [
  ['an unknown value', 'NOT_A_VALUE'],
  ['a lower-case value', 'owner'],
  ['a number (wrong type)', 7],
  ['NUL', 'OWNER\u0000'],
];

function badValues(type: GraphQLInputType, name: string): [string, unknown][] {
  const named = getNamedType(type);
  const list: [string, unknown][] = [];
  if (isListType(isNonNullType(type) ? type.ofType : type)) list.push(['a list holding null', [null]]);
  if (isNonNullType(type)) list.push(['null for a required value', null]);
  if (isEnumType(named)) return [...list, ...BAD_ENUMS];
  if (isInputObjectType(named)) return [...list, ['a string (wrong type)', 'x'], ['an unknown field', { __unknown: 1 }]];
  switch (named.name) {
    case 'ID':
      return [...list, ...BAD_IDS];
    case 'Int':
      return [...list, ...BAD_INTS];
    case 'Float':
      return [...list, ...BAD_FLOATS];
    case 'Boolean':
      return [...list, ...BAD_BOOLEANS];
    default:
      return [...list, ...(name === 'after' ? BAD_CURSORS : []), ...BAD_STRINGS];
  }
}

/** The kind of thing an `id` argument of a root field names, from the field's name. */
function idOf(field: string, ids: IdPool): string {
  const rules: [RegExp, keyof IdPool][] = [
    [/Invitation/, 'invitation'],
    [/Application|applyToJoin/, 'invitation'], // no application exists: any uuid is unknown
    [/Compilation/, 'compilation'],
    [/Node|^node$/, 'node'],
    [/Environment|^environment$/, 'environment'],
    [/Membership|^membership$/, 'membership'],
    [/Consortium|^consortium$/, 'consortium'],
    [/Organization|Billing|^organization$/, 'organization'],
  ];
  for (const [re, kind] of rules) if (re.test(field)) return ids[kind];
  return ids.consortium;
}

/** A well-formed value of the argument, so that only the value under test is malformed. */
function goodValue(type: GraphQLInputType, name: string, field: string, ids: IdPool): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [goodValue(inner.ofType as GraphQLInputType, name, field, ids)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0].value;
  if (isInputObjectType(named)) {
    const value: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields())) {
      if (isNonNullType(f.type)) value[f.name] = goodValue(f.type, f.name, field, ids);
    }
    return value;
  }
  if (named.name === 'ID') {
    if (name === 'id') return idOf(field, ids);
    const kind = name.replace(/Id$/, '') as keyof IdPool;
    if (field === 'inviteOrganization' && kind === 'organization') return ids.otherOrganization;
    return ids[kind] ?? RANDOM_UUID;
  }
  if (named.name === 'Int') return name === 'count' ? 1 : 2;
  if (named.name === 'Float') return 1;
  if (named.name === 'Boolean') return true;
  if (name === 'email') return 'fuzz@example.test';
  return `fuzz ${name}`;
}

function selection(field: GraphQLField<unknown, unknown>): string {
  return isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
}

interface Leaf {
  /** `input.name`: the argument, then the input object fields down to the value. */
  path: string[];
  type: GraphQLInputType;
}

function leaves(name: string, type: GraphQLInputType, depth = 0): Leaf[] {
  const own: Leaf = { path: [name], type };
  const named = getNamedType(type);
  if (!isInputObjectType(named) || depth > 2) return [own];
  const nested = Object.values(named.getFields()).flatMap((f: GraphQLInputField) =>
    leaves(f.name, f.type, depth + 1).map((l) => ({ ...l, path: [name, ...l.path] })),
  );
  return [own, ...nested];
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...target, [head]: value };
  const inner = (target[head] ?? {}) as Record<string, unknown>;
  return { ...target, [head]: setPath(inner, rest, value) };
}

/** Every malformed input of every argument of the type's fields that take arguments. */
export function malformedInputs(root: GraphQLObjectType, operation: 'mutation' | 'query', ids: IdPool): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const field of Object.values(root.getFields())) {
    if (field.args.length === 0) continue;
    const args = field.args as readonly GraphQLArgument[];
    const definitions = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
    const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
    const query = `${operation} Fuzz(${definitions}) { ${field.name}(${call})${selection(field)} }`;
    const base: Record<string, unknown> = {};
    for (const a of args) if (isNonNullType(a.type)) base[a.name] = goodValue(a.type, a.name, field.name, ids);
    for (const a of args) {
      // The argument under test starts well-formed in full (an optional input object too).
      const start = { ...base, [a.name]: base[a.name] ?? goodValue(a.type, a.name, field.name, ids) };
      for (const leaf of leaves(a.name, a.type)) {
        for (const [what, value] of badValues(leaf.type, leaf.path.at(-1)!)) {
          cases.push({
            label: `${operation === 'mutation' ? 'Mutation' : 'Query'}.${field.name}: ${leaf.path.join('.')} ← ${what}`,
            field: field.name,
            query,
            variables: setPath(start, leaf.path, value),
          });
        }
      }
    }
  }
  return cases;
}
