import { describe, expect, it } from 'vitest';
import {
  abiMethods, canonicalType, openApiDocument, solidityTypeSchema, type AbiItem, type JsonSchema, type OpenApiDocument,
} from '../../src/modules/compilation/api';

const addr = { name: 'to', type: 'address' };
const ERC20ISH: AbiItem[] = [
  { type: 'constructor', inputs: [{ name: 'supply', type: 'uint256' }], stateMutability: 'nonpayable' },
  { type: 'function', name: 'transfer', inputs: [addr, { name: 'amount', type: 'uint256' }], outputs: [{ name: '', type: 'bool' }], stateMutability: 'nonpayable' },
  { type: 'function', name: 'balanceOf', inputs: [{ name: 'account', type: 'address' }], outputs: [{ name: '', type: 'uint256' }], stateMutability: 'view' },
  { type: 'function', name: 'totalSupply', inputs: [], outputs: [{ name: '', type: 'uint256' }], stateMutability: 'view' },
  { type: 'function', name: 'approve', inputs: [{ name: 'spender', type: 'address' }, { name: 'amount', type: 'uint256' }], outputs: [{ name: '', type: 'bool' }], stateMutability: 'nonpayable' },
  { type: 'function', name: 'safeTransferFrom', inputs: [{ name: 'from', type: 'address' }, addr, { name: 'id', type: 'uint256' }], outputs: [], stateMutability: 'nonpayable' },
  { type: 'function', name: 'safeTransferFrom', inputs: [{ name: 'from', type: 'address' }, addr, { name: 'id', type: 'uint256' }, { name: 'data', type: 'bytes' }], outputs: [], stateMutability: 'nonpayable' },
  { type: 'function', name: 'pureMath', inputs: [{ name: '', type: 'int' }, { name: '', type: 'bytes32[2][]' }], outputs: [{ name: 'sum', type: 'int256' }], stateMutability: 'pure' },
  {
    type: 'function', name: 'submit', stateMutability: 'payable', outputs: [],
    inputs: [{ name: 'orders', type: 'tuple[]', components: [{ name: 'maker', type: 'address' }, { name: 'amounts', type: 'uint128[3]' }, { name: 'ok', type: 'bool' }] }],
  },
  { type: 'event', name: 'Transfer', inputs: [{ name: 'from', type: 'address', indexed: true }], anonymous: false },
  { type: 'error', name: 'Nope', inputs: [] },
  { type: 'receive', stateMutability: 'payable' },
];

describe('abiMethods', () => {
  const methods = abiMethods(ERC20ISH);
  const bySig = (s: string) => methods.find((m) => m.signature === s)!;

  it('lists functions only, with selectors matching the known ERC-20/721 values', () => {
    expect(methods).toHaveLength(8);
    expect(bySig('transfer(address,uint256)').selector).toBe('0xa9059cbb');
    expect(bySig('balanceOf(address)').selector).toBe('0x70a08231');
    expect(bySig('totalSupply()').selector).toBe('0x18160ddd');
    expect(bySig('approve(address,uint256)').selector).toBe('0x095ea7b3');
    expect(bySig('safeTransferFrom(address,address,uint256)').selector).toBe('0x42842e0e');
    expect(bySig('safeTransferFrom(address,address,uint256,bytes)').selector).toBe('0xb88d4fde');
  });

  it('classifies view/pure as calls and the rest as transactions', () => {
    expect(bySig('balanceOf(address)').kind).toBe('call');
    expect(bySig('pureMath(int256,bytes32[2][])').kind).toBe('call');
    expect(bySig('transfer(address,uint256)').kind).toBe('transaction');
    expect(methods.find((m) => m.name === 'submit')!).toMatchObject({ kind: 'transaction', stateMutability: 'payable' });
    expect(abiMethods([{ type: 'function', name: 'old', constant: true, inputs: [], outputs: [] }])[0].kind).toBe('call');
  });

  it('disambiguates overloads with the selector and keeps unique names elsewhere', () => {
    const keys = methods.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(bySig('transfer(address,uint256)').key).toBe('transfer');
    expect(bySig('safeTransferFrom(address,address,uint256)').key).toBe('safeTransferFrom_42842e0e');
    expect(bySig('safeTransferFrom(address,address,uint256,bytes)').key).toBe('safeTransferFrom_b88d4fde');
  });

  it('canonicalises aliases and tuples and names unnamed parameters', () => {
    const math = methods.find((m) => m.name === 'pureMath')!;
    expect(math.inputs).toEqual([{ name: 'arg0', type: 'int256' }, { name: 'arg1', type: 'bytes32[2][]' }]);
    expect(bySig('transfer(address,uint256)').outputs).toEqual([{ name: 'out0', type: 'bool' }]);
    const submit = methods.find((m) => m.name === 'submit')!;
    expect(submit.signature).toBe('submit((address,uint128[3],bool)[])');
    expect(submit.inputs[0]).toMatchObject({ name: 'orders', type: 'tuple[]' });
    expect(submit.inputs[0].components!.map((c) => c.name)).toEqual(['maker', 'amounts', 'ok']);
    expect(canonicalType({ type: 'uint[]' })).toBe('uint256[]');
  });

  it('drops duplicated signatures and rejects non-arrays', () => {
    expect(abiMethods([ERC20ISH[1], ERC20ISH[1]])).toHaveLength(1);
    expect(() => abiMethods({} as unknown as AbiItem[])).toThrow(TypeError);
  });
});

describe('solidityTypeSchema', () => {
  const matches = (schema: JsonSchema, value: string) => new RegExp(schema.pattern as string).test(value);

  it('maps integers to bounded decimal strings', () => {
    const u = solidityTypeSchema('uint256');
    expect(u).toMatchObject({ type: 'string', maxLength: 78 });
    expect(matches(u, (2n ** 256n - 1n).toString())).toBe(true);
    expect(matches(u, '-1')).toBe(false);
    expect(matches(u, '0x10')).toBe(false);
    const i = solidityTypeSchema('int8');
    expect(i.maxLength).toBe(4); // "-128"
    expect(matches(i, '-128')).toBe(true);
  });

  it('maps address, bool, string, bytes and bytesN', () => {
    expect(matches(solidityTypeSchema('address'), `0x${'aB'.repeat(20)}`)).toBe(true);
    expect(matches(solidityTypeSchema('address'), `0x${'a'.repeat(39)}`)).toBe(false);
    expect(solidityTypeSchema('bool')).toMatchObject({ type: 'boolean' });
    expect(solidityTypeSchema('string')).toMatchObject({ type: 'string' });
    expect(matches(solidityTypeSchema('bytes'), '0x')).toBe(true);
    expect(matches(solidityTypeSchema('bytes'), '0xabc')).toBe(false);
    expect(matches(solidityTypeSchema('bytes4'), '0xa9059cbb')).toBe(true);
    expect(matches(solidityTypeSchema('bytes4'), '0xa9059c')).toBe(false);
  });

  it('maps arrays (fixed sizes bounded) and tuples', () => {
    expect(solidityTypeSchema('bytes32[2][]')).toMatchObject({
      type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string' } },
    });
    const tuple = solidityTypeSchema('tuple', [{ name: 'a', type: 'address' }, { name: '', type: 'bool' }]);
    expect(tuple).toMatchObject({ type: 'object', required: ['a', 'field1'], additionalProperties: false });
    expect(() => solidityTypeSchema('uint7')).toThrow(/unsupported/);
    expect(() => solidityTypeSchema('mapping')).toThrow(/unsupported/);
  });
});

// Structural OpenAPI 3.0.3 checks (no validator package is a dependency of this project).
function assertValidOpenApi(doc: OpenApiDocument): void {
  expect(doc.openapi).toBe('3.0.3');
  expect(typeof doc.info.title).toBe('string');
  expect(typeof doc.info.version).toBe('string');
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    expect(path).toMatch(/^\/[A-Za-z0-9_$]+$/);
    for (const [method, op] of Object.entries(item)) {
      expect(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']).toContain(method);
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      const responses = op.responses as Record<string, { description: string }>;
      expect(Object.keys(responses).length).toBeGreaterThan(0);
      for (const r of Object.values(responses)) expect(typeof r.description).toBe('string');
    }
  }
  // Every $ref resolves, every pattern compiles, every required property exists.
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (typeof obj.$ref === 'string') {
      const target = obj.$ref.replace(/^#\//, '').split('/').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], doc);
      expect(target, obj.$ref).toBeTypeOf('object');
    }
    if (typeof obj.pattern === 'string') expect(() => new RegExp(obj.pattern as string)).not.toThrow();
    if (obj.type === 'object' && Array.isArray(obj.required)) {
      for (const r of obj.required) expect(Object.keys(obj.properties as object)).toContain(r);
    }
    Object.values(obj).forEach(walk);
  };
  walk(doc);
}

describe('openApiDocument', () => {
  const doc = openApiDocument(ERC20ISH, { title: 'Token', version: '1.0.0', basePath: '/contracts/abc/api' });

  it('is a structurally valid OpenAPI 3.0.3 document with one operation per method', () => {
    assertValidOpenApi(doc);
    const ops = Object.values(doc.paths).flatMap((item) => Object.values(item));
    expect(ops).toHaveLength(abiMethods(ERC20ISH).length);
    expect(doc.servers).toEqual([{ url: '/contracts/abc/api' }]);
    expect(Object.keys(doc.paths)).toContain('/safeTransferFrom_b88d4fde');
    expect(doc.components.schemas.ConstructorArguments).toMatchObject({ required: ['supply'] });
  });

  it('describes calls and transactions with JSON bodies', () => {
    const balanceOf = doc.paths['/balanceOf'].post as Record<string, any>;
    expect(balanceOf.tags).toEqual(['calls']);
    expect(balanceOf['x-solidity-selector']).toBe('0x70a08231');
    expect(balanceOf.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object', required: ['account'], properties: { account: { pattern: '^0x[0-9a-fA-F]{40}$' } },
    });
    expect(balanceOf.responses['200'].content['application/json'].schema).toMatchObject({ required: ['out0'] });
    const transfer = doc.paths['/transfer'].post as Record<string, any>;
    expect(transfer.tags).toEqual(['transactions']);
    expect(transfer.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TransactionSubmitted' });
    const totalSupply = doc.paths['/totalSupply'].post as Record<string, any>;
    expect(totalSupply.requestBody.required).toBe(false);
    const submit = doc.paths['/submit'].post as Record<string, any>;
    expect(submit.requestBody.content['application/json'].schema.properties.orders.items).toMatchObject({
      type: 'object', properties: { amounts: { type: 'array', minItems: 3 } },
    });
  });

  it('handles an empty ABI and requires title and version', () => {
    const empty = openApiDocument([], { title: 'Empty', version: '0' });
    assertValidOpenApi(empty);
    expect(empty.paths).toEqual({});
    expect(empty.servers).toBeUndefined();
    expect(() => openApiDocument([], { title: '', version: '1' })).toThrow(TypeError);
  });
});
