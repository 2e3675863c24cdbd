// Sources, bytecode, ABIs, compiler messages and CA certificates are not read with every row of a
// list: they come in one extra statement per entity, and only when a query selects them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsortiumCompilationColumnsDocument } from '../generated/graphql';
import { sql } from '../support/db';
import { createEnv, newConsortium, seedCompilation } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { countSql } from '../support/sql-counter';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

describe('large columns in lists', () => {
  it('are read only when selected, in one statement per entity however many rows, and equal the stored values', async () => {
    const few = await newConsortium(gw);
    await createEnv(few.admin.owner.client, few.consortiumId);
    await seedCompilation(few.consortiumId, few.admin.membershipId, { status: 'COMPILED' });
    const many = await newConsortium(gw);
    for (let i = 0; i < 3; i++) await createEnv(many.admin.owner.client, many.consortiumId, { name: `env-${i}` });
    for (const status of ['COMPILED', 'FAILED', 'PENDING', 'COMPILED'] as const) {
      await seedCompilation(many.consortiumId, many.admin.membershipId, { status, source: `contract C${status} {}` });
    }

    const ask = (c: typeof few, large: boolean) =>
      countSql(gw, () => c.admin.owner.client.ok(ConsortiumCompilationColumnsDocument, { id: c.consortiumId, large }));
    const fewSmall = await ask(few, false);
    const fewLarge = await ask(few, true);
    const manySmall = await ask(many, false);
    const manyLarge = await ask(many, true);

    expect(fewSmall.statements.join('\n')).not.toMatch(/bytecode|ca_certificate_pem|"source"|"abi"/);
    expect(fewLarge.count - fewSmall.count, fewLarge.statements.join('\n')).toBe(2);
    expect(manySmall.count).toBe(fewSmall.count);
    expect(manyLarge.count).toBe(fewLarge.count);

    const { consortium } = manyLarge.result;
    expect(consortium.compilations.nodes).toHaveLength(4);
    expect(consortium.environments.nodes).toHaveLength(3);
    const stored = await sql<{ id: string; source: string; bytecode: string | null; deployed_bytecode: string | null; abi: unknown; errors: unknown }>(
      'select id, source, bytecode, deployed_bytecode, abi, errors from compilation where consortium_id = ?',
      [many.consortiumId],
    );
    for (const node of consortium.compilations.nodes) {
      const row = stored.find((r) => r.id === node.id)!;
      expect(node).toMatchObject({ source: row.source, bytecode: row.bytecode, deployedBytecode: row.deployed_bytecode, abi: row.abi, errors: row.errors });
    }
    expect(consortium.compilations.nodes.map((n) => n.status).sort()).toEqual(['COMPILED', 'COMPILED', 'FAILED', 'PENDING']);
    const pems = await sql<{ id: string; ca_certificate_pem: string }>('select id, ca_certificate_pem from environment where consortium_id = ?', [many.consortiumId]);
    for (const env of consortium.environments.nodes) {
      expect(env.caCertificatePem).toBe(pems.find((p) => p.id === env.id)!.ca_certificate_pem);
      expect(env.caCertificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    }
  });

  it('carry timestamps as the stored instants, to the millisecond', async () => {
    const c = await newConsortium(gw);
    const id = await seedCompilation(c.consortiumId, c.admin.membershipId);
    await sql("update compilation set created_at = '2026-03-04 05:06:07.891234+00', updated_at = '2026-03-04 05:06:08+00' where id = ?", [id]);
    const { consortium } = await c.admin.owner.client.ok(ConsortiumCompilationColumnsDocument, { id: c.consortiumId, large: false });
    expect(consortium.compilations.nodes).toEqual([
      expect.objectContaining({ id, createdAt: '2026-03-04T05:06:07.891Z', updatedAt: '2026-03-04T05:06:08.000Z' }),
    ]);
  });
});
