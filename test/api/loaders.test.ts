// The request's batch loaders: one loader per distinct filter on a table, and every page of a
// list made of the same kind of rows.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Loaders, stableKey } from '../../src/graphql/loaders';
import { Consortium } from '../../src/modules/consortium/consortium.entity';
import { liveConsortium } from '../../src/modules/consortium/consortium.service';
import { compilationsOf } from '../../src/modules/compilation/compilation.pages';
import { Environment } from '../../src/modules/environment/environment.entity';
import { Membership } from '../../src/modules/membership/membership.entity';
import { Node, NodeStatus } from '../../src/modules/node/node.entity';
import { buildContext } from '../../src/server';
import { seedNodes } from '../support/factories/organization';
import { newConsortium, seedCompilation } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { sql } from '../support/db';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const loadersOf = (g: TestGateway) => new Loaders(g.app.services.orm.getMetadata(), g.app.services.reader, () => g.app.services.orm.em.fork());

describe('loaders', () => {
  it('two filters on one table in one tick each get their own rows', async () => {
    const c = await newConsortium(gw);
    const [running, stopped] = await seedNodes(c.admin.membershipId, c.consortiumId, 2);
    await sql(`update node set status = 'STOPPED' where id = ?`, [stopped]);
    const [{ environment_id: environmentId }] = await sql<{ environment_id: string }>('select environment_id from node where id = ?', [running]);

    const loaders = loadersOf(gw);
    const [runningNodes, stoppedNodes, all] = await Promise.all([
      loaders.listBy(Node, 'environment', { where: { status: NodeStatus.RUNNING } }).load(environmentId),
      loaders.listBy(Node, 'environment', { where: { status: NodeStatus.STOPPED } }).load(environmentId),
      loaders.listBy(Node, 'environment').load(environmentId),
    ]);
    expect(runningNodes.map((n) => n.id)).toEqual([running]);
    expect(stoppedNodes.map((n) => n.id)).toEqual([stopped]);
    expect(all.map((n) => n.id).sort()).toEqual([running, stopped].sort());
  });

  it('equal filters share one loader, whatever the order of their keys', () => {
    const loaders = loadersOf(gw);
    const a = loaders.listBy(Node, 'environment', { where: { status: NodeStatus.RUNNING, role: 'SIGNER' } as never });
    const b = loaders.listBy(Node, 'environment', { where: { role: 'SIGNER', status: NodeStatus.RUNNING } as never });
    expect(a).toBe(b);
    expect(stableKey({ b: 1, a: { d: 2, c: 3 } })).toBe(stableKey({ a: { c: 3, d: 2 }, b: 1 }));
    expect(stableKey({ status: 'RUNNING' })).not.toBe(stableKey({ status: 'STOPPED' }));
  });

  it('every page of a consortium’s compilations is made of the same kind of rows', async () => {
    const c = await newConsortium(gw);
    for (let i = 0; i < 5; i++) await seedCompilation(c.consortiumId, c.admin.membershipId, { name: `k${i}` });
    const email = c.admin.owner.email;
    const ctx = await buildContext(gw.app.services, { subject: `test|${email}`, email, name: null, expiresAt: null, emailVerified: true }, 'pages-test');

    const pages = [await compilationsOf(ctx, c.consortiumId, { first: 2 })];
    while (pages.at(-1)!.pageInfo.hasNextPage) {
      pages.push(await compilationsOf(ctx, c.consortiumId, { first: 2, after: pages.at(-1)!.pageInfo.endCursor }));
    }
    expect(pages.map((p) => p.nodes.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.nodes.map((n) => n.name)).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(pages.map((p) => p.totalCount)).toEqual([5, 5, 5]);
    const kinds = new Set(pages.flatMap((p) => p.nodes.map((n) => Object.getPrototypeOf(n))));
    expect(kinds.size).toBe(1);
  });

  it('a join reads only the related rows its by-id loader lacks; the others resolve from the loader', async () => {
    const c = await newConsortium(gw);
    await seedNodes(c.admin.membershipId, c.consortiumId, 3);
    const [{ environment_id: environmentId }] = await sql<{ environment_id: string }>(
      'select e.id as environment_id from environment e where e.consortium_id = ?',
      [c.consortiumId],
    );
    const reader = gw.app.services.reader;
    const read = vi.spyOn(reader, 'arrays');
    const statements = () => read.mock.calls.length;
    try {
      // Nothing held: the page's rows carry their membership, which the loader then holds.
      const cold = loadersOf(gw);
      const nodes = await cold.pageBy(Node, 'environment', { include: ['membership'] }, 10).load(environmentId);
      expect(nodes).toHaveLength(3);
      const rows = (await read.mock.results[0].value) as unknown[][];
      for (const row of rows) expect(row.filter((v) => v === c.admin.membershipId)).toHaveLength(2); // the node's reference and the join's id
      const joined = await cold.byId(Membership).load(c.admin.membershipId);
      expect(joined).toMatchObject({ id: c.admin.membershipId, displayName: expect.any(String) });
      expect(statements()).toBe(1);

      // Held already (a membership page read it): one statement still, but no row repeats its columns.
      read.mockClear();
      const warm = loadersOf(gw);
      warm.primeById(Membership, [joined!]);
      const again = await warm.pageBy(Node, 'environment', { include: ['membership'] }, 10).load(environmentId);
      expect(again.map((n) => n.id)).toEqual(nodes.map((n) => n.id));
      const [, bindings] = read.mock.calls[0];
      expect(bindings).toContainEqual([c.admin.membershipId]);
      const bare = (await read.mock.results[0].value) as unknown[][];
      // each row: the parent, the node's columns (its membership as an id), then the join's columns, all null
      for (const row of bare) expect(row.filter((v) => v === c.admin.membershipId)).toHaveLength(1);
      expect(await warm.byId(Membership).load(c.admin.membershipId)).toBe(joined);
      expect(statements()).toBe(1);
    } finally {
      read.mockRestore();
    }
  });

  it('a row the request holds (joined by a page, or loaded) is answered at once; any other goes through the loader', async () => {
    const c = await newConsortium(gw);
    const [nodeId] = await seedNodes(c.admin.membershipId, c.consortiumId, 1);
    const [{ environment_id: environmentId }] = await sql<{ environment_id: string }>('select environment_id from node where id = ?', [nodeId]);
    const loaders = loadersOf(gw);

    // Not held yet: a promise, resolving to what the loader holds from then on.
    const pending = loaders.row(Environment, environmentId);
    expect(pending).toBeInstanceOf(Promise);
    const environment = await pending;
    expect(environment?.id).toBe(environmentId);
    expect(loaders.row(Environment, environmentId)).toBe(environment);
    expect(await loaders.byId(Environment).load(environmentId)).toBe(environment);

    // Joined by a page: the same snapshot as the loader's, without a promise.
    const [node] = await loaders.pageBy(Node, 'environment', { include: ['membership'] }, 10).load(environmentId);
    const membership = loaders.row(Membership, node.membership.id);
    expect(membership).not.toBeInstanceOf(Promise);
    expect(membership).toBe(await loaders.byId(Membership).load(c.admin.membershipId));
    expect((membership as Membership).id).toBe(c.admin.membershipId);

    // Held while a load of it was in flight: the load answers the held row too, one object per id.
    const elsewhere = await loadersOf(gw).byId(Membership).load(c.admin.membershipId);
    const racing = loadersOf(gw);
    const inFlight = racing.byId(Membership).load(c.admin.membershipId);
    racing.primeById(Membership, [elsewhere!]);
    expect(await inFlight).toBe(elsewhere);
    expect(racing.row(Membership, c.admin.membershipId)).toBe(elsewhere);

    // An id with no row: null, through the loader, as byId answers it.
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await loaders.row(Membership, missing)).toBeNull();
  });

  it('a relation to a deleted consortium, or to no row, is NOT_FOUND whether the row is held or read', async () => {
    const c = await newConsortium(gw);
    await sql('update consortium set deleted_at = now() where id = ?', [c.consortiumId]);
    const code = (fn: () => unknown) =>
      Promise.resolve()
        .then(fn)
        .then(
          () => 'answered',
          (e: { code?: string }) => e.code,
        );

    const read = loadersOf(gw);
    expect(read.row(Consortium, c.consortiumId)).toBeInstanceOf(Promise);
    expect(await code(() => liveConsortium({ loaders: read }, c.consortiumId))).toBe('NOT_FOUND');

    // Held now (the same loaders): the answer comes at once, and is still NOT_FOUND.
    expect(read.row(Consortium, c.consortiumId)).toBeInstanceOf(Consortium);
    expect(await code(() => liveConsortium({ loaders: read }, c.consortiumId))).toBe('NOT_FOUND');

    const missing = '00000000-0000-4000-8000-000000000001';
    expect(await code(() => read.required(Consortium, missing))).toBe('NOT_FOUND');
    expect(await code(() => liveConsortium({ loaders: read }, missing))).toBe('NOT_FOUND');
  });

  it('timestamps arrive to the millisecond, microseconds dropped as parsing their text drops them', async () => {
    const c = await newConsortium(gw);
    await seedNodes(c.admin.membershipId, c.consortiumId, 1);
    const [{ id }] = await sql<{ id: string }>('select id from environment where consortium_id = ?', [c.consortiumId]);
    for (const stored of ['2031-05-06T07:08:09.999999Z', '2031-05-06T07:08:09.000001Z', '2026-12-03T10:00:00.5005Z', '1969-12-31T23:59:59.999999Z', '2999-12-31T23:59:59.123999Z']) {
      await sql('update environment set updated_at = ? where id = ?', [stored, id]);
      const environment = await loadersOf(gw).byId(Environment).load(id);
      expect(environment!.updatedAt.toISOString(), stored).toBe(new Date(stored.replace(/(\.\d{3})\d+Z$/, '$1Z')).toISOString());
    }
  });

  it('a snapshot cannot be written: the write throws, where it would otherwise change nothing stored', async () => {
    const c = await newConsortium(gw);
    const [nodeId] = await seedNodes(c.admin.membershipId, c.consortiumId, 1);
    const [{ environment_id: environmentId }] = await sql<{ environment_id: string }>('select environment_id from node where id = ?', [nodeId]);
    const loaders = loadersOf(gw);
    const [byId, [listed]] = await Promise.all([
      loaders.byId(Node).load(nodeId),
      loaders.listBy(Node, 'environment').load(environmentId),
    ]);
    for (const node of [byId!, listed]) {
      expect(node).toBeInstanceOf(Node);
      expect(() => {
        node.name = 'renamed';
      }).toThrow(TypeError);
      expect(() => {
        (node.environment as unknown as { id: string }).id = 'another';
      }).toThrow(TypeError);
      expect(node.name).not.toBe('renamed');
    }
    const ctx = await buildContext(gw.app.services, { subject: `test|${c.admin.owner.email}`, email: c.admin.owner.email, name: null, expiresAt: null, emailVerified: true }, 'frozen-test');
    await seedCompilation(c.consortiumId, c.admin.membershipId, { name: 'frozen' });
    const [compilation] = (await compilationsOf(ctx, c.consortiumId, { first: 1 })).nodes;
    expect(() => {
      compilation.name = 'renamed';
    }).toThrow(TypeError);
  });
});
