// Bad input is answered with a code, never a 500, and changes nothing: a corpus of malformed
// inputs generated from the schema (test/support/fuzz.ts) for every argument of every mutation,
// and of every query (cursors among them), against a gateway on a database of its own, so the
// checksum of every table proves that each refused request wrote nothing.
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/orm';
import { compilationRunner } from '../../src/modules/compilation/compilation.runner';
import type { GraphQLClient } from '../support/client';
import { scratchDatabase } from '../support/db';
import { createOrganization, type TestOrganization } from '../support/factories/organization';
import { createEnv } from '../support/factories/resources';
import { malformedInputs, type FuzzCase, type IdPool } from '../support/fuzz';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gw: TestGateway;
let db: Client;
let owner: GraphQLClient;
let ids: IdPool;

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;

/** A fresh, migrated database on the test server, for this file alone. */
async function ownDatabase(): Promise<string> {
  scratch = await scratchDatabase('fuzz');
  const orm = await openDatabase(scratch.url);
  await orm.close();
  return scratch.url;
}

/**
 * The transport's bookkeeping, not data: every operation, refused or not, spends from its caller's
 * cost budget (rate_budget); idempotency_key holds answers of mutations sent with the header.
 */
const BOOKKEEPING = ['rate_budget', 'idempotency_key'];

/** One digest of every row of every table of the database but the transport's bookkeeping. */
async function checksum(): Promise<string> {
  const { rows: tables } = await db.query<{ name: string }>(
    `select quote_ident(tablename) as name from pg_tables where schemaname = 'public' and tablename <> all($1) order by tablename`,
    [BOOKKEEPING],
  );
  const parts = tables.map(
    (t) => `select '${t.name}' as t, count(*) as n, md5(coalesce(string_agg(r::text, ',' order by r::text), '')) as h from ${t.name} r`,
  );
  const { rows } = await db.query<{ t: string; n: string; h: string }>(parts.join(' union all '));
  return rows.map((r) => `${r.t}:${r.n}:${r.h}`).sort().join('|');
}

async function data<T>(client: GraphQLClient, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return (await client.ok(query, variables)) as T;
}

/** A world with a real id of every kind the API's arguments name. */
async function seed(): Promise<IdPool> {
  const org: TestOrganization = await createOrganization(gw, { plan: 'ENTERPRISE', licenses: 5 });
  const other = await createOrganization(gw);
  owner = org.owner.client;
  const { createConsortium } = await data<{ createConsortium: { id: string; myMemberships: { id: string }[] } }>(
    owner,
    'mutation($input: CreateConsortiumInput!) { createConsortium(input: $input) { id myMemberships { id } } }',
    { input: { name: 'Fuzzed consortium' } },
  );
  const consortium = createConsortium.id;
  const environment = await createEnv(owner, consortium);
  const { createNode } = await data<{ createNode: { id: string } }>(
    owner,
    'mutation($input: CreateNodeInput!) { createNode(input: $input) { id } }',
    { input: { environmentId: environment, name: 'fuzz-node', role: 'NON_SIGNER' } },
  );
  const { createCompilation } = await data<{ createCompilation: { id: string } }>(
    owner,
    'mutation($input: CreateCompilationInput!) { createCompilation(input: $input) { id } }',
    { input: { consortiumId: consortium, name: 'fuzz', source: 'pragma solidity ^0.8.0; contract A { }' } },
  );
  const { inviteOrganization } = await data<{ inviteOrganization: { id: string } }>(
    owner,
    'mutation($input: InviteOrganizationInput!) { inviteOrganization(input: $input) { id } }',
    { input: { consortiumId: consortium, organizationId: other.id } },
  );
  await compilationRunner(gw.app.services).idle();
  return {
    organization: org.id,
    otherOrganization: other.id,
    consortium,
    membership: createConsortium.myMemberships[0].id,
    environment,
    node: createNode.id,
    compilation: createCompilation.id,
    invitation: inviteOrganization.id,
    user: org.owner.id,
  };
}

beforeAll(async () => {
  // Overdue invitations are swept on a timer: none may change the tables while they are compared.
  gw = await startTestGateway({ DATABASE_URL: await ownDatabase(), INVITATION_SWEEP_SECONDS: '86400', COMPILER_WORKERS: '1' });
  db = new Client({ connectionString: gw.config.databaseUrl! });
  await db.connect();
  ids = await seed();
}, 120_000);

afterAll(async () => {
  if (gw) await compilationRunner(gw.app.services).idle();
  await gw?.stop();
  await db?.end();
  await scratch?.drop();
});

interface Outcome {
  refused: number;
  accepted: string[];
  failures: string[];
}

/** Sends every case; a refusal must carry a code (no 5xx, no INTERNAL_SERVER_ERROR) and leave every table as it was. */
async function run(cases: FuzzCase[]): Promise<Outcome> {
  const outcome: Outcome = { refused: 0, accepted: [], failures: [] };
  let before = await checksum();
  for (const c of cases) {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await gw.tokenFor(ownerEmail())}` },
      body: JSON.stringify({ query: c.query, variables: c.variables }),
    });
    const text = await response.text();
    let body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // a response that is no JSON is judged by its status alone
    }
    const codes = (body.errors ?? []).map((e) => e.extensions?.code);
    const after = await checksum();
    if (response.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) {
      outcome.failures.push(`${c.label}: HTTP ${response.status} ${text.slice(0, 200)}`);
    } else if (body.data?.[c.field] === undefined || body.data?.[c.field] === null) {
      outcome.refused++;
      if (response.status < 400 && codes.length === 0) outcome.failures.push(`${c.label}: refused without an error code`);
      if (codes.some((code) => code === undefined)) outcome.failures.push(`${c.label}: an error without a code`);
      if (after !== before) outcome.failures.push(`${c.label}: refused (${codes.join(', ')}) yet the database changed`);
    } else {
      outcome.accepted.push(c.label);
      // What an accepted request started (a compilation) finishes before the next comparison.
      await compilationRunner(gw.app.services).idle();
    }
    before = await checksum();
  }
  return outcome;
}

let emailOfOwner: string;
const ownerEmail = () => emailOfOwner;

describe('malformed input, generated from the schema', () => {
  beforeAll(async () => {
    const { me } = await data<{ me: { email: string } }>(owner, '{ me { email } }');
    emailOfOwner = me.email;
  });

  it('every mutation refuses every malformed argument with a code and writes nothing', async () => {
    const cases = malformedInputs(gw.app.gateway.schema.getMutationType()!, 'mutation', ids);
    const mutations = new Set(cases.map((c) => c.field));
    const withArguments = Object.values(gw.app.gateway.schema.getMutationType()!.getFields()).filter((f) => f.args.length > 0);
    expect(mutations.size).toBe(withArguments.length);
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const outcome = await run(cases);
    // Each case has exactly one malformed value: none may be taken.
    expect({ failures: outcome.failures, accepted: outcome.accepted }).toEqual({ failures: [], accepted: [] });
    expect(outcome.refused).toBe(cases.length);
  }, 600_000);

  it('every query refuses every malformed argument, cursors among them, with a code', async () => {
    const cases = malformedInputs(gw.app.gateway.schema.getQueryType()!, 'query', ids);
    expect(cases.some((c) => c.label.includes('cursor in year 275760'))).toBe(true);
    const outcome = await run(cases);
    expect({ failures: outcome.failures, accepted: outcome.accepted }).toEqual({ failures: [], accepted: [] });
  }, 600_000);
});
