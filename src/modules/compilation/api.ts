// ABI → callable methods and an OpenAPI 3.0.3 document (the "generated REST API" of a contract).
// Pure functions: no I/O, deterministic for a given ABI.
import { keccak256 } from 'js-sha3';

/** One ABI parameter as solc emits it (`components` for tuples). */
export interface AbiParameter {
  name: string;
  type: string;
  internalType?: string;
  components?: AbiParameter[];
  indexed?: boolean;
}

/** Solidity state mutability. */
export type StateMutability = 'pure' | 'view' | 'nonpayable' | 'payable';

/** One ABI entry (legacy `constant`/`payable` flags accepted for pre-0.5 ABIs). */
export interface AbiItem {
  type: 'function' | 'constructor' | 'event' | 'error' | 'fallback' | 'receive';
  name?: string;
  inputs?: AbiParameter[];
  outputs?: AbiParameter[];
  stateMutability?: StateMutability;
  anonymous?: boolean;
  constant?: boolean;
  payable?: boolean;
}

/** A method parameter with a guaranteed non-empty, unique name (`argN` / `outN` when unnamed). */
export interface MethodParam {
  name: string;
  type: string;
  components?: MethodParam[];
}

/** A callable contract function. */
export interface AbiMethod {
  name: string;
  /** Unique route/operation key: `name`, or `name_<selector hex>` when the name is overloaded. */
  key: string;
  signature: string;
  selector: string;
  stateMutability: StateMutability;
  inputs: MethodParam[];
  outputs: MethodParam[];
  kind: 'call' | 'transaction';
}

/** A JSON Schema (OpenAPI 3.0 dialect) object. */
export type JsonSchema = { [keyword: string]: unknown };

/** Options of openApiDocument; `basePath` becomes the single server URL. */
export interface OpenApiOptions {
  title: string;
  version: string;
  basePath?: string;
  description?: string;
}

/** The generated document; loosely typed beyond the fields callers navigate. */
export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, { post: JsonSchema & { operationId: string } }>;
  components: { schemas: Record<string, JsonSchema> };
}

const ARRAY = /^(.+)\[(\d*)\]$/;

// Solidity accepts aliases in hand-written ABIs; selectors are defined over the full names.
function aliasType(type: string): string {
  return type
    .replace(/^(u?int)(?=\[|$)/, '$1256')
    .replace(/^(u?fixed)(?=\[|$)/, '$1128x18')
    .replace(/^byte(?=\[|$)/, 'bytes1');
}

/** Canonical ABI type for signatures: aliases expanded, tuples spelled `(t1,t2)`. */
export function canonicalType(param: Pick<AbiParameter, 'type' | 'components'>): string {
  const tuple = /^tuple((?:\[\d*\])*)$/.exec(param.type);
  if (tuple) return `(${(param.components ?? []).map(canonicalType).join(',')})${tuple[1]}`;
  return aliasType(param.type);
}

/** `0x` + first 4 bytes of keccak-256 of a canonical signature. */
export function selectorOf(signature: string): string {
  return `0x${keccak256(signature).slice(0, 8)}`;
}

function mutabilityOf(item: AbiItem): StateMutability {
  if (item.stateMutability) return item.stateMutability;
  if (item.constant) return 'view';
  return item.payable ? 'payable' : 'nonpayable';
}

// Unnamed parameters are legal (`returns (uint256)`), but JSON bodies need keys.
function namedParams(params: readonly AbiParameter[] | undefined, prefix: string): MethodParam[] {
  const list = params ?? [];
  const taken = new Set(list.map((p) => p.name).filter(Boolean));
  return list.map((p, i) => {
    let name = p.name;
    if (!name) {
      name = `${prefix}${i}`;
      while (taken.has(name)) name = `_${name}`;
      taken.add(name);
    }
    const type = aliasType(p.type); // tuples stay 'tuple…' with their components alongside
    return p.components ? { name, type, components: namedParams(p.components, 'field') } : { name, type };
  });
}

interface MethodEntry { method: AbiMethod; item: AbiItem }

// Keeps each method's ABI item next to it: schemas need the original nested components.
function methodEntries(abi: readonly AbiItem[]): MethodEntry[] {
  if (!Array.isArray(abi)) throw new TypeError('abi must be an array of ABI items');
  const seen = new Set<string>();
  const entries: Array<{ method: Omit<AbiMethod, 'key'>; item: AbiItem }> = [];
  for (const item of abi) {
    if (item?.type !== 'function' || typeof item.name !== 'string' || item.name === '') continue;
    const signature = `${item.name}(${(item.inputs ?? []).map(canonicalType).join(',')})`;
    if (seen.has(signature)) continue; // duplicated entries in hand-edited ABIs
    seen.add(signature);
    const stateMutability = mutabilityOf(item);
    entries.push({
      item,
      method: {
        name: item.name,
        signature,
        selector: selectorOf(signature),
        stateMutability,
        inputs: namedParams(item.inputs, 'arg'),
        outputs: namedParams(item.outputs, 'out'),
        kind: stateMutability === 'view' || stateMutability === 'pure' ? 'call' : 'transaction',
      },
    });
  }
  const counts = new Map<string, number>();
  for (const { method } of entries) counts.set(method.name, (counts.get(method.name) ?? 0) + 1);
  // Selector suffixes are unique (solc rejects selector clashes) and stable when the ABI is
  // reordered; the loop only guards against a function literally named like a generated key.
  const keys = new Set<string>();
  return entries.map(({ method, item }) => {
    let key = counts.get(method.name)! > 1 ? `${method.name}_${method.selector.slice(2)}` : method.name;
    while (keys.has(key)) key = `${key}_`;
    keys.add(key);
    return { item, method: { ...method, key } };
  });
}

/** Functions of an ABI as callable methods (view/pure → call, else transaction), in ABI order. */
export function abiMethods(abi: readonly AbiItem[]): AbiMethod[] {
  return methodEntries(abi).map((e) => e.method);
}

/** JSON schema of a Solidity ABI type; integers are decimal strings because they exceed 2^53. */
export function solidityTypeSchema(type: string, components?: readonly AbiParameter[]): JsonSchema {
  const array = ARRAY.exec(type);
  if (array) {
    const items = solidityTypeSchema(array[1], components);
    if (array[2] === '') return { type: 'array', items };
    const n = Number(array[2]);
    return { type: 'array', items, minItems: n, maxItems: n };
  }
  if (type === 'tuple') return objectSchema(namedParams(components, 'field'), components ?? []);
  const canonical = aliasType(type);
  const integer = /^(u?)int(\d+)$/.exec(canonical);
  if (integer) {
    const bits = Number(integer[2]);
    if (bits < 8 || bits > 256 || bits % 8 !== 0) throw new Error(`unsupported ABI type ${type}`);
    const unsigned = integer[1] === 'u';
    // maxLength bounds the digits (exact range checks happen where values are ABI-encoded).
    const maxLength = unsigned ? String(2n ** BigInt(bits) - 1n).length : String(2n ** BigInt(bits - 1)).length + 1;
    return {
      type: 'string', pattern: unsigned ? '^[0-9]+$' : '^-?[0-9]+$', maxLength,
      description: `${canonical} as a decimal string`, 'x-solidity-type': canonical,
    };
  }
  if (/^u?fixed\d+x\d+$/.test(canonical)) {
    return { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: `${canonical} as a decimal string`, 'x-solidity-type': canonical };
  }
  const fixedBytes = /^bytes(\d+)$/.exec(canonical);
  if (fixedBytes || canonical === 'function') {
    const n = fixedBytes ? Number(fixedBytes[1]) : 24; // external function = address + selector
    if (n < 1 || n > 32) throw new Error(`unsupported ABI type ${type}`);
    return { type: 'string', pattern: `^0x[0-9a-fA-F]{${2 * n}}$`, description: `${canonical} as 0x-prefixed hex`, 'x-solidity-type': canonical };
  }
  switch (canonical) {
    case 'address':
      return { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$', description: 'address', 'x-solidity-type': 'address' };
    case 'bool':
      return { type: 'boolean', 'x-solidity-type': 'bool' };
    case 'string':
      return { type: 'string', 'x-solidity-type': 'string' };
    case 'bytes':
      return { type: 'string', pattern: '^0x([0-9a-fA-F]{2})*$', description: 'bytes as 0x-prefixed hex', 'x-solidity-type': 'bytes' };
    default:
      throw new Error(`unsupported ABI type ${type}`);
  }
}

// `named` carries generated names; `raw` the original parameters (for nested components).
function objectSchema(named: readonly MethodParam[], raw: readonly AbiParameter[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  named.forEach((p, i) => { properties[p.name] = solidityTypeSchema(raw[i].type, raw[i].components); });
  return {
    type: 'object', properties, additionalProperties: false,
    ...(named.length > 0 ? { required: named.map((p) => p.name) } : {}),
  };
}

/**
 * OpenAPI 3.0.3 document with one `POST /{key}` per function. Calls use POST too: their
 * arguments may be arrays and tuples, which do not fit query strings; the JSON body is an
 * object keyed by parameter name, and a call answers with an object keyed by output name.
 */
export function openApiDocument(abi: readonly AbiItem[], opts: OpenApiOptions): OpenApiDocument {
  if (!opts?.title || !opts.version) throw new TypeError('openApiDocument needs a title and a version');
  const paths: OpenApiDocument['paths'] = {};
  for (const { method: m, item: raw } of methodEntries(abi)) {
    const isCall = m.kind === 'call';
    const output = isCall
      ? objectSchema(m.outputs, raw.outputs ?? [])
      : { $ref: '#/components/schemas/TransactionSubmitted' };
    paths[`/${m.key}`] = {
      post: {
        operationId: m.key,
        summary: m.signature,
        description: `${isCall ? 'Calls' : 'Sends a transaction to'} ${m.signature} (selector ${m.selector}, ${m.stateMutability}).`,
        tags: [isCall ? 'calls' : 'transactions'],
        'x-solidity-signature': m.signature,
        'x-solidity-selector': m.selector,
        'x-solidity-state-mutability': m.stateMutability,
        requestBody: {
          required: m.inputs.length > 0,
          content: { 'application/json': { schema: objectSchema(m.inputs, raw.inputs ?? []) } },
        },
        responses: {
          '200': { description: isCall ? 'Return values' : 'Transaction submitted', content: { 'application/json': { schema: output } } },
          default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      },
    };
  }
  const schemas: Record<string, JsonSchema> = {
    TransactionSubmitted: {
      type: 'object', required: ['transactionHash'],
      properties: { transactionHash: solidityTypeSchema('bytes32') },
    },
    Error: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
  };
  const ctor = abi.find((item) => item?.type === 'constructor');
  if (ctor) schemas.ConstructorArguments = objectSchema(namedParams(ctor.inputs, 'arg'), ctor.inputs ?? []);
  return {
    openapi: '3.0.3',
    info: { title: opts.title, version: opts.version, ...(opts.description ? { description: opts.description } : {}) },
    ...(opts.basePath ? { servers: [{ url: opts.basePath }] } : {}),
    tags: [
      { name: 'calls', description: 'view/pure functions: read-only, answered from node state' },
      { name: 'transactions', description: 'state-changing functions: submitted as transactions' },
    ],
    paths,
    components: { schemas },
  };
}
