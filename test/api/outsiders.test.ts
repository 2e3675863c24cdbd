// Spec §8.1 "Outsiders learn nothing": an id of a thing in a consortium the caller may not view
// answers exactly like an id that does not exist — same code, same message naming what was asked
// for (never the owning consortium), same extensions. Every consortium-scoped field is tried,
// and the list comes from the rule tree, so a new field cannot be forgotten.
import { randomUUID } from 'node:crypto';
import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleKind } from '../../src/graphql/rules';
import { buildBareSchema, ruleTree } from '../../src/graphql/schema';
import { ConsortiumEventsDocument } from '../generated/graphql';
import type { GraphQLClient, GraphQLErrorShape } from '../support/client';
import { sql } from '../support/db';
import { apply, invite } from '../support/factories/membership';
import { addUser, createOrganization, type TestOrganization } from '../support/factories/organization';
import { addSeat, createEnv, newConsortium, seedCompilation } from '../support/factories/resources';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { subscribe } from '../support/ws';

/** The ids a case may name: of one consortium's things, or all unknown. */
interface Ids {
  consortium: string;
  environment: string;
  node: string;
  chainAccount: string;
  compilation: string;
  invitation: string;
  application: string;
  membership: string;
  proposal: string;
}

interface Case {
  /** The operation; its one root field is the field under test. */
  query: string;
  variables: (ids: Ids, outsider: { userId: string; organizationId: string }) => Record<string, unknown>;
  /** The id the answer must name. */
  asked: keyof Ids;
}

/** The secp256k1 public key of private key 1 (the generator point), compressed. */
const KEY = '0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----';

/** One case per root field whose rule guards a thing in a consortium. */
const CASES: Record<string, Case> = {
  'Query.consortium': { query: 'query($id: ID!) { consortium(id: $id) { id } }', variables: (i) => ({ id: i.consortium }), asked: 'consortium' },
  'Query.myPermissions': {
    query: 'query($c: ID!) { myPermissions(consortiumId: $c) { action } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Query.consortiumInvitations': {
    query: 'query($c: ID!) { consortiumInvitations(consortiumId: $c) { totalCount } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Query.invitableOrganization': {
    query: 'query($c: ID!, $o: ID!) { invitableOrganization(consortiumId: $c, id: $o) { id name } }',
    variables: (i, o) => ({ c: i.consortium, o: o.organizationId }),
    asked: 'consortium',
  },
  'Query.consortiumApplications': {
    query: 'query($c: ID!) { consortiumApplications(consortiumId: $c) { totalCount } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Query.verifyEventChain': {
    query: 'query($c: ID!) { verifyEventChain(consortiumId: $c) { intact } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Query.environment': { query: 'query($id: ID!) { environment(id: $id) { id } }', variables: (i) => ({ id: i.environment }), asked: 'environment' },
  'Query.node': { query: 'query($id: ID!) { node(id: $id) { id } }', variables: (i) => ({ id: i.node }), asked: 'node' },
  'Query.certificate': {
    query: 'query($e: ID!) { certificate(environmentId: $e) { id } }',
    variables: (i) => ({ e: i.environment }),
    asked: 'environment',
  },
  'Query.compilation': { query: 'query($id: ID!) { compilation(id: $id) { id } }', variables: (i) => ({ id: i.compilation }), asked: 'compilation' },
  'Query.invitation': { query: 'query($id: ID!) { invitation(id: $id) { id } }', variables: (i) => ({ id: i.invitation }), asked: 'invitation' },
  'Query.application': { query: 'query($id: ID!) { application(id: $id) { id } }', variables: (i) => ({ id: i.application }), asked: 'application' },
  'Mutation.updateConsortium': {
    query: 'mutation($id: ID!) { updateConsortium(id: $id, input: { name: "x" }) { id } }',
    variables: (i) => ({ id: i.consortium }),
    asked: 'consortium',
  },
  'Mutation.deleteConsortium': { query: 'mutation($id: ID!) { deleteConsortium(id: $id) }', variables: (i) => ({ id: i.consortium }), asked: 'consortium' },
  'Mutation.grantNetworkRole': {
    query: 'mutation($c: ID!, $u: ID!) { grantNetworkRole(input: { consortiumId: $c, userId: $u, role: ADMIN }) { role } }',
    variables: (i, o) => ({ c: i.consortium, u: o.userId }),
    asked: 'consortium',
  },
  'Mutation.revokeNetworkRole': {
    query: 'mutation($c: ID!, $u: ID!) { revokeNetworkRole(consortiumId: $c, userId: $u) }',
    variables: (i, o) => ({ c: i.consortium, u: o.userId }),
    asked: 'consortium',
  },
  'Mutation.createEnvironment': {
    query: 'mutation($c: ID!) { createEnvironment(input: { consortiumId: $c, name: "e", client: BESU, consensus: QBFT }) { id } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Mutation.updateEnvironment': {
    query: 'mutation($id: ID!) { updateEnvironment(id: $id, input: { name: "renamed" }) { id } }',
    variables: (i) => ({ id: i.environment }),
    asked: 'environment',
  },
  'Mutation.upgradeEnvironment': {
    query: 'mutation($id: ID!) { upgradeEnvironment(id: $id, release: "99.0.0") { id } }',
    variables: (i) => ({ id: i.environment }),
    asked: 'environment',
  },
  'Mutation.deleteEnvironment': { query: 'mutation($id: ID!) { deleteEnvironment(id: $id) { id } }', variables: (i) => ({ id: i.environment }), asked: 'environment' },
  'Mutation.updateEnvironmentSecurity': {
    query: 'mutation($id: ID!) { updateEnvironmentSecurity(id: $id, input: { allowList: ["10.0.0.0/8"], tls: {} }) { id } }',
    variables: (i) => ({ id: i.environment }),
    asked: 'environment',
  },
  'Mutation.createNode': {
    query: 'mutation($e: ID!) { createNode(input: { environmentId: $e, name: "n", role: NON_SIGNER }) { id } }',
    variables: (i) => ({ e: i.environment }),
    asked: 'environment',
  },
  'Mutation.deleteNode': { query: 'mutation($id: ID!) { deleteNode(id: $id) { id } }', variables: (i) => ({ id: i.node }), asked: 'node' },
  'Query.compileDraft': {
    query: 'query($c: ID!) { compileDraft(input: { consortiumId: $c, source: "contract A {}" }) { ok } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Query.chainAccount': {
    query: 'query($id: ID!) { chainAccount(id: $id) { id } }',
    variables: (i) => ({ id: i.chainAccount }),
    asked: 'chainAccount',
  },
  'Mutation.createChainAccount': {
    query: `mutation($e: ID!) { createChainAccount(input: { environmentId: $e, curve: SECP256K1, publicKey: "${KEY}" }) { id } }`,
    variables: (i) => ({ e: i.environment }),
    asked: 'environment',
  },
  'Mutation.rotateChainAccountKey': {
    query: `mutation($id: ID!) { rotateChainAccountKey(id: $id, input: { curve: SECP256K1, publicKey: "${KEY}" }) { id } }`,
    variables: (i) => ({ id: i.chainAccount }),
    asked: 'chainAccount',
  },
  'Mutation.freezeChainAccount': {
    query: 'mutation($id: ID!) { freezeChainAccount(id: $id) { id } }',
    variables: (i) => ({ id: i.chainAccount }),
    asked: 'chainAccount',
  },
  'Mutation.unfreezeChainAccount': {
    query: 'mutation($id: ID!) { unfreezeChainAccount(id: $id) { id } }',
    variables: (i) => ({ id: i.chainAccount }),
    asked: 'chainAccount',
  },
  'Mutation.expandNode': { query: 'mutation($id: ID!) { expandNode(id: $id, size: LARGE) { id } }', variables: (i) => ({ id: i.node }), asked: 'node' },
  'Mutation.uploadCertificate': {
    query: 'mutation($e: ID!, $csr: String!) { uploadCertificate(input: { environmentId: $e, csrPem: $csr }) { id } }',
    variables: (i) => ({ e: i.environment, csr: CSR }),
    asked: 'environment',
  },
  'Mutation.resetCertificate': {
    query: 'mutation($e: ID!) { resetCertificate(environmentId: $e) { id } }',
    variables: (i) => ({ e: i.environment }),
    asked: 'environment',
  },
  'Mutation.createCompilation': {
    query: 'mutation($c: ID!) { createCompilation(input: { consortiumId: $c, name: "k", source: "contract K {}" }) { id } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Mutation.updateCompilation': {
    query: 'mutation($id: ID!) { updateCompilation(id: $id, input: { name: "k2" }) { id } }',
    variables: (i) => ({ id: i.compilation }),
    asked: 'compilation',
  },
  'Mutation.promoteCompilation': {
    query: 'mutation($id: ID!, $e: ID!) { promoteCompilation(id: $id, environmentId: $e) { id } }',
    variables: (i) => ({ id: i.compilation, e: i.environment }),
    asked: 'compilation',
  },
  'Mutation.inviteOrganization': {
    query: 'mutation($c: ID!, $o: ID!) { inviteOrganization(input: { consortiumId: $c, organizationId: $o }) { id } }',
    variables: (i, o) => ({ c: i.consortium, o: o.organizationId }),
    asked: 'consortium',
  },
  'Mutation.revokeInvitation': { query: 'mutation($id: ID!) { revokeInvitation(id: $id) { id } }', variables: (i) => ({ id: i.invitation }), asked: 'invitation' },
  'Mutation.approveApplication': {
    query: 'mutation($id: ID!) { approveApplication(id: $id) { membership { id } } }',
    variables: (i) => ({ id: i.application }),
    asked: 'application',
  },
  'Mutation.rejectApplication': {
    query: 'mutation($id: ID!) { rejectApplication(id: $id, reason: "no") { id } }',
    variables: (i) => ({ id: i.application }),
    asked: 'application',
  },
  'Mutation.freezeMembership': { query: 'mutation($id: ID!) { freezeMembership(id: $id) { id } }', variables: (i) => ({ id: i.membership }), asked: 'membership' },
  'Mutation.unfreezeMembership': {
    query: 'mutation($id: ID!) { unfreezeMembership(id: $id) { id } }',
    variables: (i) => ({ id: i.membership }),
    asked: 'membership',
  },
  'Mutation.createMembership': {
    query: 'mutation($c: ID!) { createMembership(input: { consortiumId: $c, displayName: "second" }) { id } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Mutation.leaveConsortium': {
    query: 'mutation($m: ID!) { leaveConsortium(membershipId: $m) { membershipId } }',
    variables: (i) => ({ m: i.membership }),
    asked: 'membership',
  },
  'Mutation.removeMember': {
    query: 'mutation($c: ID!, $o: ID!) { removeMember(consortiumId: $c, organizationId: $o) { organizationId } }',
    variables: (i, o) => ({ c: i.consortium, o: o.organizationId }),
    asked: 'consortium',
  },
  'Query.votingPolicy': {
    query: 'query($c: ID!) { votingPolicy(consortiumId: $c) { thresholdPercent } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Query.proposals': {
    query: 'query($c: ID!) { proposals(consortiumId: $c) { totalCount } }',
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Query.proposal': { query: 'query($id: ID!) { proposal(id: $id) { id } }', variables: (i) => ({ id: i.proposal }), asked: 'proposal' },
  'Mutation.updateVotingPolicy': {
    query: `mutation($c: ID!) { updateVotingPolicy(input: { consortiumId: $c, thresholdPercent: 50, comparator: GREATER_THAN, durationHours: 24, needsVote: [] }) { thresholdPercent } }`,
    variables: (i) => ({ c: i.consortium }),
    asked: 'consortium',
  },
  'Mutation.createProposal': {
    query: 'mutation($c: ID!, $o: ID!) { createProposal(input: { consortiumId: $c, kind: REMOVE_MEMBER, removeOrganizationId: $o }) { id } }',
    variables: (i, o) => ({ c: i.consortium, o: o.organizationId }),
    asked: 'consortium',
  },
  'Mutation.castVote': {
    query: 'mutation($p: ID!) { castVote(proposalId: $p, choice: YES) { id } }',
    variables: (i) => ({ p: i.proposal }),
    asked: 'proposal',
  },
  'Mutation.withdrawProposal': { query: 'mutation($id: ID!) { withdrawProposal(id: $id) { id } }', variables: (i) => ({ id: i.proposal }), asked: 'proposal' },
  'Mutation.transferAdministration': {
    query: 'mutation($m: ID!) { transferAdministration(toMembershipId: $m) { administrator { id } } }',
    variables: (i) => ({ m: i.membership }),
    asked: 'membership',
  },
};

let gw: TestGateway;
let known: Ids;
let consortiumId: string;
/** `byAccountRole`: refusals that the account role decides before any consortium is looked at may answer FORBIDDEN, alike for real and random ids. */
let outsiders: { label: string; org: TestOrganization; byAccountRole?: boolean }[];

beforeAll(async () => {
  gw = await startTestGateway();
  const c = await newConsortium(gw);
  consortiumId = c.consortiumId;
  const environment = await createEnv(c.admin.owner.client, consortiumId);
  const node = randomUUID();
  await sql(`insert into node (id, environment_id, membership_id, name, role, status) values (?, ?, ?, 'n0', 'NON_SIGNER', 'RUNNING')`, [
    node,
    environment,
    c.admin.membershipId,
  ]);
  const chainAccount = randomUUID();
  await sql(`insert into chain_account (id, environment_id, membership_id, curve, public_key, address) values (?, ?, ?, 'SECP256K1', ?, ?)`, [
    chainAccount, environment, c.admin.membershipId, KEY, '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf',
  ]);
  const compilation = await seedCompilation(consortiumId, c.admin.membershipId);
  const invitee = await createOrganization(gw);
  const invitation = await invite(c.admin.owner, consortiumId, invitee.id);
  const applicant = await createOrganization(gw);
  const application = await apply(applicant.owner, consortiumId);
  const member = await addSeat(gw, c);
  const left = await addSeat(gw, c, { status: 'LEFT' });
  const proposal = await c.admin.owner.client.request(
    'mutation($c: ID!, $o: ID!) { createProposal(input: { consortiumId: $c, kind: REMOVE_MEMBER, removeOrganizationId: $o }) { id } }',
    { c: consortiumId, o: member.org.id },
  );
  known = {
    consortium: consortiumId, environment, node, chainAccount, compilation, invitation: invitation.id, application: application.id, membership: member.membershipId,
    proposal: (proposal.data as { createProposal: { id: string } }).createProposal.id,
  };
  // §8.1: an account GUEST without a network role does not see its organization's consortium either.
  const guest = await addUser(gw, member.org, 'GUEST');
  outsiders = [
    { label: 'an organization that never joined', org: await createOrganization(gw, { plan: 'ENTERPRISE' }) },
    { label: 'an organization that left', org: left.org },
    { label: 'an account GUEST of a member organization, without a network role', org: { ...member.org, owner: guest }, byAccountRole: true },
  ];
});
afterAll(() => gw?.stop());

const unknownIds = (): Ids => ({
  consortium: randomUUID(),
  environment: randomUUID(),
  node: randomUUID(),
  chainAccount: randomUUID(),
  compilation: randomUUID(),
  invitation: randomUUID(),
  application: randomUUID(),
  membership: randomUUID(),
  proposal: randomUUID(),
});

/** The first error of an answer, with the id asked for blanked out. */
async function refusal(client: GraphQLClient, c: Case, ids: Ids, outsider: TestOrganization): Promise<GraphQLErrorShape & { shape: string }> {
  const result = await client.request(c.query, c.variables(ids, { userId: outsider.owner.id, organizationId: outsider.id }));
  const error = result.errors?.[0];
  expect(error, `${c.query} answered ${JSON.stringify(result.data)}`).toBeDefined();
  return { ...error!, shape: error!.message.split(ids[c.asked]).join('<id>') };
}

describe('outsiders learn nothing (spec §8.1)', () => {
  it('every root field guarded by a consortium rule has a case here, and every case a field', async () => {
    const tree = ruleTree();
    const schema = await buildBareSchema();
    const scoped: string[] = [];
    for (const type of ['Query', 'Mutation']) {
      const graphqlType = schema.getType(type);
      if (!isObjectType(graphqlType)) throw new Error(`${type} missing`);
      for (const field of Object.keys(graphqlType.getFields())) {
        const kind = ruleKind(tree[type]?.[field]);
        if (kind === 'consortium' || kind === 'request') scoped.push(`${type}.${field}`);
      }
    }
    expect(scoped.length).toBeGreaterThan(20);
    expect(Object.keys(CASES).sort()).toEqual(scoped.sort());
  });

  for (const [field, c] of Object.entries(CASES)) {
    it(`${field}: a real id answers like a random one, naming what was asked for`, async () => {
      for (const { label, org, byAccountRole } of outsiders) {
        const real = await refusal(org.owner.client, c, known, org);
        const random = await refusal(org.owner.client, c, unknownIds(), org);
        expect(real.extensions?.code, label).toBe(random.extensions?.code);
        expect(real.shape, label).toBe(random.shape);
        expect(Object.keys(real.extensions ?? {}).sort(), label).toEqual(Object.keys(random.extensions ?? {}).sort());
        // An account GUEST may be refused by its account role alone (granting network roles is
        // organization.users.manage), which tells nothing of the consortium; anything else is NOT_FOUND.
        if (byAccountRole && real.extensions?.code === 'FORBIDDEN') {
          expect(real.extensions, label).toMatchObject({ kind: 'accountRole', have: 'GUEST' });
          continue;
        }
        expect(real.extensions?.code, label).toBe('NOT_FOUND');
        expect(real.message, `${label}: names the thing asked for`).toContain(known[c.asked]);
        if (c.asked !== 'consortium') expect(real.message, `${label}: never the owning consortium`).not.toContain(consortiumId);
      }
    });
  }

  it('Subscription.consortiumEvents: a real consortium answers like a random one', async () => {
    for (const { label, org } of outsiders) {
      const token = await gw.tokenFor(org.owner.email);
      const answers = [];
      for (const id of [consortiumId, randomUUID()]) {
        const sub = await subscribe(gw, token, ConsortiumEventsDocument, { consortiumId: id });
        const refused = await sub.next();
        await sub.close();
        const error = refused.errors?.[0];
        answers.push({ code: error?.extensions?.code, shape: error?.message.split(id).join('<id>') });
      }
      expect(answers[0].code, label).toBe('NOT_FOUND');
      expect(answers[0], label).toEqual(answers[1]);
    }
  });
});
