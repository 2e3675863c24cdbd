// The request's batch loaders: one loader per distinct filter on a table, and every page of a
// list made of the same kind of rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Loaders, stableKey } from '../../src/graphql/loaders';
import { Node, NodeStatus } from '../../src/modules/node/node.entity';
import { seedNodes } from '../support/factories/organization';
import { newConsortium } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { sql } from '../support/db';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const loadersOf = (g: TestGateway) => new Loaders(g.app.services.orm.em.fork(), g.app.services.reader);

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
});
