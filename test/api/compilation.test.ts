import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilationRunner } from '../../src/modules/compilation/compilation.runner';
import {
  CompilationByIdDocument,
  CompilationStatusDocument,
  ConsortiumCompilationsDocument,
  CreateCompilationDocument,
  DeleteEnvironmentDocument,
  PromoteCompilationDocument,
  UpdateCompilationDocument,
  type CompilationStatus,
} from '../generated/graphql';
import type { GraphQLClient, Result } from '../support/client';
import { sql } from '../support/db';
import { createOrganization, type OrgUser } from '../support/factories/organization';
import {
  addSeat, createEnv, newConsortium, seatUser, seedCompilation, type Seat, type TestConsortium,
} from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';

const STORE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
contract Store {
  uint256 private value;
  event Changed(uint256 value);
  function get() external view returns (uint256) { return value; }
  function set(uint256 v) external { value = v; emit Changed(v); }
}`;
const BROKEN = 'pragma solidity ^0.8.0; contract Broken { function f( }';

let gw: TestGateway;
let c: TestConsortium;
let envId: string;
let adminGuest: OrgUser;
let adminMember: OrgUser; // effective MEMBER: below compilation.create's ADMIN
let plainMember: Seat; // MEMBER without MANAGE_ENVIRONMENTS
let manager: Seat; // MEMBER with MANAGE_ENVIRONMENTS
let frozen: Seat;
let outsider: GraphQLClient;

beforeAll(async () => {
  gw = await startTestGateway({ COMPILER_WORKERS: '1', MAX_SOURCE_BYTES: '4096' });
  c = await newConsortium(gw);
  [plainMember, manager, frozen] = await Promise.all([
    addSeat(gw, c),
    addSeat(gw, c, { permissions: ['MANAGE_ENVIRONMENTS'] }),
    addSeat(gw, c, { permissions: ['MANAGE_ENVIRONMENTS'], status: 'FROZEN' }),
  ]);
  [adminGuest, adminMember] = await Promise.all([seatUser(gw, c.admin, 'GUEST', 'GUEST'), seatUser(gw, c.admin, 'MEMBER')]);
  outsider = (await createOrganization(gw)).owner.client;
  envId = await createEnv(c.admin.owner.client, c.consortiumId);
});
afterAll(async () => {
  // Leave nothing PENDING behind for the next gateway start to pick up.
  if (gw) await compilationRunner(gw.app.services).idle();
  await gw?.stop();
});

let n = 0;
const input = (extra: Record<string, unknown> = {}) => ({ consortiumId: c.consortiumId, name: `contract-${++n}`, source: STORE, ...extra });

/** Polls compilation(id){status} until it leaves PENDING (bounded: 30 s). */
async function settled(client: GraphQLClient, id: string): Promise<CompilationStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { compilation } = await client.ok(CompilationStatusDocument, { id });
    if (compilation.status !== 'PENDING') return compilation.status;
    if (Date.now() > deadline) throw new Error(`compilation ${id} still PENDING after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function eventsOf(id: string) {
  return sql<{ kind: string; payload: any }>('select kind, payload from event where subject_id = ? order by sequence', [id]);
}

function expectCode(result: Result<unknown>, expected: string): void {
  if (expected === 'ok') expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  else expect(result.errors?.[0].extensions?.code, JSON.stringify(result.errors)).toBe(expected);
}

describe('compiling', () => {
  it('stores PENDING at once, compiles off the request path, and exposes the ABI’s methods and OpenAPI', async () => {
    const client = c.admin.owner.client;
    const { createCompilation: created } = await client.ok(CreateCompilationDocument, { input: input() });
    expect(created).toMatchObject({ status: 'PENDING', version: 1, bytecode: null, createdBy: { id: c.admin.membershipId } });
    expect(await settled(client, created.id)).toBe('COMPILED');

    const { compilation } = await adminGuest.client.ok(CompilationByIdDocument, { id: created.id });
    expect(compilation.compilerVersion).toMatch(/^0\.8\./);
    expect(compilation.bytecode).toMatch(/^(0x)?[0-9a-f]+$/);
    expect(compilation.deployedBytecode).toMatch(/^(0x)?[0-9a-f]+$/);
    expect(compilation.errors).toBeNull();
    const methods = compilation.api!.methods;
    expect(methods.map((m) => [m.signature, m.selector, m.kind, m.stateMutability])).toEqual([
      ['get()', '0x6d4ce63c', 'call', 'view'],
      ['set(uint256)', '0x60fe47b1', 'transaction', 'nonpayable'],
    ]);
    expect(methods[1].inputs).toEqual([{ name: 'v', type: 'uint256' }]);
    const openApi = compilation.api!.openApi as { openapi: string; paths: Record<string, unknown> };
    expect(openApi.openapi).toBe('3.0.3');
    expect(Object.keys(openApi.paths).sort()).toEqual(['/get', '/set']);

    const events = await eventsOf(created.id);
    expect(events.map((e) => e.kind)).toEqual(['COMPILATION_CREATED', 'COMPILATION_STATUS_CHANGED']);
    expect(events[1].payload).toMatchObject({ from: 'PENDING', to: 'COMPILED' });
  });

  it('a source that does not compile ends FAILED with the compiler’s errors, and no API', async () => {
    const client = c.admin.owner.client;
    const { createCompilation: created } = await client.ok(CreateCompilationDocument, { input: input({ source: BROKEN }) });
    expect(await settled(client, created.id)).toBe('FAILED');
    const { compilation } = await client.ok(CompilationByIdDocument, { id: created.id });
    expect(compilation.errors?.join('\n')).toMatch(/ParserError/);
    expect(compilation.api).toBeNull();
    expect(compilation.bytecode).toBeNull();
  });

  it('refuses before storing: an oversized or blank source, a bad contract name, a taken name', async () => {
    const client = c.admin.owner.client;
    const cases: [Record<string, unknown>, string][] = [
      [{ source: `${STORE}\n// ${'x'.repeat(4096)}` }, 'source'],
      [{ source: '   ' }, 'source'],
      [{ contractName: 'not an identifier' }, 'contractName'],
      [{ name: '' }, 'name'],
    ];
    for (const [extra, field] of cases) {
      const error = await client.fails('BAD_USER_INPUT', CreateCompilationDocument, { input: input(extra) });
      expect(error.extensions?.field).toBe(field);
    }
    const [{ count }] = await sql<{ count: number }>('select count(*)::int as count from compilation where consortium_id = ? and length(source) > 4096', [c.consortiumId]);
    expect(count).toBe(0);
    const taken = await seedCompilation(c.consortiumId, c.admin.membershipId);
    const { compilation } = await client.ok(CompilationStatusDocument, { id: taken });
    expect(compilation.id).toBe(taken);
    const [{ name }] = await sql<{ name: string }>('select name from compilation where id = ?', [taken]);
    await client.fails('CONFLICT', CreateCompilationDocument, { input: { ...input(), name } });
  });

  it('editing a compilation that was never promoted changes it in place and recompiles it', async () => {
    const client = c.admin.owner.client;
    const { createCompilation: created } = await client.ok(CreateCompilationDocument, { input: input({ source: BROKEN }) });
    expect(await settled(client, created.id)).toBe('FAILED');
    const { updateCompilation: edited } = await client.ok(UpdateCompilationDocument, { id: created.id, input: { source: STORE } });
    expect(edited).toMatchObject({ id: created.id, version: 1, status: 'PENDING', errors: null, source: STORE });
    expect(await settled(client, created.id)).toBe('COMPILED');
  });

  it('compile time is bounded: past the timeout the compilation is FAILED with the message', async () => {
    const bounded = await startTestGateway({ COMPILER_WORKERS: '1', COMPILE_TIMEOUT_MS: '100' });
    try {
      // A warm worker, so only compile time counts (and no cold start elsewhere can finish first).
      await compilationRunner(bounded.app.services).pool.warmup();
      const fns = Array.from({ length: 40 }, (_, i) =>
        `function f${i}(uint256 a, uint256 b) external pure returns (uint256) { uint256 s = a; ` +
        `for (uint256 j = 0; j < b; j++) { s = s * ${i + 3} + j ^ (s >> 3); } return s + ${i}; }`);
      const heavy = `pragma solidity ^0.8.0; contract Heavy { ${fns.join('\n')} }`;
      const client = bounded.as(c.admin.owner.email);
      const { createCompilation: created } = await client.ok(CreateCompilationDocument, { input: input({ source: heavy }) });
      expect(await settled(client, created.id)).toBe('FAILED');
      const { compilation } = await client.ok(CompilationByIdDocument, { id: created.id });
      expect(compilation.errors).toEqual(['compilation timed out after 100 ms']);
    } finally {
      await compilationRunner(bounded.app.services).idle();
      await bounded.stop();
    }
  });

  it('compilations left PENDING by a restart are compiled after it, once, even by two instances', async () => {
    const id = await seedCompilation(c.consortiumId, c.admin.membershipId, { status: 'PENDING', source: STORE });
    const [a, b] = await Promise.all([1, 2].map(() => startTestGateway({ COMPILER_WORKERS: '1' })));
    try {
      await Promise.all([a, b].map((g) => compilationRunner(g.app.services).idle()));
      expect(await settled(c.admin.owner.client, id)).toBe('COMPILED');
      const changes = (await eventsOf(id)).filter((e) => e.kind === 'COMPILATION_STATUS_CHANGED');
      expect(changes.length).toBe(1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('promotion and versions', () => {
  it('promotes a COMPILED compilation to a live environment of its consortium, once per environment', async () => {
    const client = c.admin.owner.client;
    const id = await seedCompilation(c.consortiumId, c.admin.membershipId);
    const { promoteCompilation: p } = await client.ok(PromoteCompilationDocument, { id, environmentId: envId });
    expect(p).toMatchObject({ environment: { id: envId }, promotedBy: { id: c.admin.membershipId }, compilation: { id } });
    await client.fails('CONFLICT', PromoteCompilationDocument, { id, environmentId: envId });
    const { compilation } = await adminGuest.client.ok(CompilationByIdDocument, { id });
    expect(compilation.promotions).toEqual([expect.objectContaining({ environment: { id: envId }, promotedBy: { id: c.admin.membershipId } })]);
    expect((await eventsOf(id)).map((e) => e.kind)).toEqual(['COMPILATION_PROMOTED']);

    // Not PENDING or FAILED ones; not to another consortium's or a deleted environment.
    for (const status of ['PENDING', 'FAILED'] as const) {
      const other = await seedCompilation(c.consortiumId, c.admin.membershipId, { status, source: BROKEN });
      await client.fails('CONFLICT', PromoteCompilationDocument, { id: other, environmentId: envId });
      if (status === 'PENDING') compilationRunner(gw.app.services).enqueue(other, c.admin.org.id); // leave nothing PENDING
    }
    const elsewhere = await newConsortium(gw);
    const foreignEnv = await createEnv(elsewhere.admin.owner.client, elsewhere.consortiumId);
    await client.fails('NOT_FOUND', PromoteCompilationDocument, { id, environmentId: foreignEnv });
    const doomed = await createEnv(client, c.consortiumId);
    await client.ok(PromoteCompilationDocument, { id, environmentId: doomed });
    await client.ok(DeleteEnvironmentDocument, { id: doomed });
    await client.fails('NOT_FOUND', PromoteCompilationDocument, { id, environmentId: doomed });
    expect((await client.ok(CompilationByIdDocument, { id })).compilation.promotions.map((x) => x.environment.id)).toEqual([envId]);
  });

  it('editing a promoted compilation makes a new PENDING version; the promoted one never changes', async () => {
    const client = c.admin.owner.client;
    const id = await seedCompilation(c.consortiumId, c.admin.membershipId);
    await client.ok(PromoteCompilationDocument, { id, environmentId: envId });
    const before = (await client.ok(CompilationByIdDocument, { id })).compilation;
    const { updateCompilation: next } = await client.ok(UpdateCompilationDocument, { id, input: { source: STORE } });
    expect(next.id).not.toBe(id);
    expect(next).toMatchObject({ name: before.name, version: 2, status: 'PENDING', source: STORE, previousVersion: { id, version: 1 } });
    const after = (await client.ok(CompilationByIdDocument, { id })).compilation;
    expect(after).toEqual(before);
    expect((await eventsOf(next.id)).map((e) => e.kind)[0]).toBe('COMPILATION_CREATED');
    expect(await settled(client, next.id)).toBe('COMPILED');
  });
});

describe('listing', () => {
  it('Consortium.compilations pages through every version, oldest first', async () => {
    const other = await newConsortium(gw);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await seedCompilation(other.consortiumId, other.admin.membershipId, { name: `c${i}` }));
    const client = other.admin.owner.client;
    const first = (await client.ok(ConsortiumCompilationsDocument, { id: other.consortiumId, first: 2 })).consortium.compilations;
    expect(first.totalCount).toBe(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await client.ok(ConsortiumCompilationsDocument, { id: other.consortiumId, first: 2, after: first.pageInfo.endCursor }))
      .consortium.compilations;
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect([...first.nodes, ...second.nodes].map((x) => x.id).sort()).toEqual([...ids].sort());
    await outsider.fails('NOT_FOUND', ConsortiumCompilationsDocument, { id: other.consortiumId });
  });
});

describe('the grid for compilations', () => {
  // [who, client, create, update, promote, view]
  const rows: [string, () => GraphQLClient, string, string, string, string][] = [
    ['ADMINISTRATOR, effective OWNER', () => c.admin.owner.client, 'ok', 'ok', 'ok', 'ok'],
    ['ADMINISTRATOR, account MEMBER without network role', () => adminMember.client, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['ADMINISTRATOR, account GUEST', () => adminGuest.client, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['MEMBER without MANAGE_ENVIRONMENTS', () => plainMember.owner.client, 'ok', 'ok', 'FORBIDDEN', 'ok'],
    ['MEMBER with MANAGE_ENVIRONMENTS', () => manager.owner.client, 'ok', 'ok', 'ok', 'ok'],
    ['FROZEN membership', () => frozen.owner.client, 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'ok'],
    ['organization without a membership', () => outsider, 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'],
  ];

  it.each(rows)('%s', async (_who, clientOf, create, update, promote, view) => {
    const client = clientOf();
    expectCode(await client.request(CreateCompilationDocument, { input: input({ source: BROKEN }) }), create);
    const target = await seedCompilation(c.consortiumId, c.admin.membershipId);
    expectCode(await client.request(UpdateCompilationDocument, { id: target, input: { name: `renamed-${++n}` } }), update);
    expectCode(await client.request(PromoteCompilationDocument, { id: await seedCompilation(c.consortiumId, c.admin.membershipId), environmentId: envId }), promote);
    expectCode(await client.request(CompilationByIdDocument, { id: target }), view);
  });
});
