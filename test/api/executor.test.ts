// Operations run compiled by graphql-jit by default (GRAPHQL_JIT). The same requests sent to a
// gateway that interprets them with graphql-js must get byte-for-byte the same answers: data,
// errors with their messages, codes, paths and locations, and null propagation.
import type { DocumentNode } from 'graphql';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsortiumCompilationColumnsDocument,
  ConsortiumDeepDocument,
  ConsortiumResourcesDocument,
  MyPermissionsDocument,
  UpdateConsortiumDocument,
} from '../generated/graphql';
import { memberOrganization } from '../support/factories/consortium';
import { createEnv, newConsortium, seedCompilation, type TestConsortium } from '../support/factories/resources';
import { comparable } from '../support/client';
import { startTestGateway, type TestGateway } from '../support/gateway';

let compiled: TestGateway;
let interpreted: TestGateway;
let c: TestConsortium;
let memberEmail: string;

beforeAll(async () => {
  [compiled, interpreted] = await Promise.all([startTestGateway(), startTestGateway({ GRAPHQL_JIT: 'false' })]);
  expect(compiled.config.compiledExecution).toBe(true);
  expect(interpreted.config.compiledExecution).toBe(false);
  c = await newConsortium(compiled);
  await createEnv(c.admin.owner.client, c.consortiumId);
  await seedCompilation(c.consortiumId, c.admin.membershipId, { status: 'COMPILED' });
  await seedCompilation(c.consortiumId, c.admin.membershipId, { status: 'FAILED' });
  const member = await memberOrganization(compiled, c.consortiumId, { invitedBy: c.admin.membershipId });
  memberEmail = member.org.owner.email;
});
afterAll(async () => {
  await Promise.all([compiled?.stop(), interpreted?.stop()]);
});


async function both(email: string | null, query: DocumentNode | string, variables: Record<string, unknown>) {
  const on = (gw: TestGateway) => (email ? gw.as(email) : gw.anonymous()).request<unknown, Record<string, unknown>>(query, variables);
  const [a, b] = [await on(compiled), await on(interpreted)];
  expect(comparable(a)).toEqual(comparable(b));
  return a;
}

describe('compiled execution', () => {
  it('answers deep queries, lists and large columns exactly as graphql-js does', async () => {
    const owner = c.admin.owner.email;
    const deep = await both(owner, ConsortiumDeepDocument, { id: c.consortiumId });
    expect(deep.errors).toBeUndefined();
    await both(owner, ConsortiumResourcesDocument, { id: c.consortiumId });
    const columns = await both(owner, ConsortiumCompilationColumnsDocument, { id: c.consortiumId, large: true });
    expect((columns.data as { consortium: { compilations: { nodes: unknown[] } } }).consortium.compilations.nodes).toHaveLength(2);
    await both(memberEmail, MyPermissionsDocument, { consortiumId: c.consortiumId });
  });

  it('reports the same errors: codes, messages, paths, locations and null propagation', async () => {
    const owner = c.admin.owner.email;
    const notFound = await both(owner, `query { me { email } consortium(id: "${randomUUID()}") { id } }`, {});
    expect(notFound.errors?.[0]).toMatchObject({ path: ['consortium'], extensions: { code: 'NOT_FOUND' } });
    // consortium is non-null: its error nulls the whole answer, on both.
    expect(notFound.data).toBeNull();
    const forbidden = await both(memberEmail, UpdateConsortiumDocument, { id: c.consortiumId, input: { name: 'taken over' } });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const blank = await both(owner, UpdateConsortiumDocument, { id: c.consortiumId, input: { name: '   ' } });
    expect(blank.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const anonymous = await both(null, ConsortiumDeepDocument, { id: c.consortiumId });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const badVariable = await both(owner, ConsortiumDeepDocument, { id: { not: 'an id' } });
    expect(badVariable.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
