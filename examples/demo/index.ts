// `npm run demo`: fills the running gateway's database, through its public API, with the
// trade-settlement consortium of the Kaleido example, and prints a token per persona.
//   GATEWAY_URL (default http://localhost:4000/graphql); tokens are signed like `npm run token`.
import WebSocket from 'ws';
import {
  AcceptInvitationDocument,
  ApplyToJoinDocument,
  CreateCompilationDocument,
  CreateConsortiumDocument,
  CreateEnvironmentDocument,
  CreateMembershipDocument,
  CreateNodeDocument,
  CreateOrganizationDocument,
  createGatewayClient,
  GatewayError,
  InviteOrganizationDocument,
  PurchaseLicensesDocument,
  type GatewayClient,
  type Permission,
} from '../../client/src';
import { signToken } from '../../src/auth/jwt';
import { loadConfig } from '../../src/config';

const url = process.env.GATEWAY_URL ?? 'http://localhost:4000/graphql';
const config = loadConfig();
if (!config.jwt.secret) {
  console.error('npm run demo signs its tokens with JWT_SECRET (or the development secret); JWKS_URL is set here');
  process.exit(2);
}
const secret = config.jwt.secret;

interface Persona {
  email: string;
  name: string;
  token: string;
  client: GatewayClient;
}

async function persona(email: string, name: string): Promise<Persona> {
  const token = await signToken(secret, { sub: `dev|${email}`, email, name }, { issuer: config.jwt.issuer, audience: config.jwt.audience, expiresIn: '12h' });
  return { email, name, token, client: createGatewayClient({ url, getToken: () => token, webSocketImpl: WebSocket }) };
}

async function organization(p: Persona, name: string, licenses: number): Promise<string> {
  const { createOrganization } = await p.client.request(CreateOrganizationDocument, { input: { name, plan: 'ENTERPRISE' } });
  await p.client.request(PurchaseLicensesDocument, { organizationId: createOrganization.id, count: licenses });
  return createOrganization.id;
}

const ESCROW = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Delivery-versus-payment escrow for one trade.
contract SettlementEscrow {
    address public immutable buyer;
    address public immutable seller;
    bool public settled;

    constructor(address _seller) payable { buyer = msg.sender; seller = _seller; }

    function settle() external {
        require(msg.sender == buyer && !settled, "not allowed");
        settled = true;
        payable(seller).transfer(address(this).balance);
    }
}
`;

async function main(): Promise<void> {
  const bank = await persona('treasury@northwind-bank.example', 'Northwind Treasury');
  const bankOrg = await organization(bank, 'Northwind Settlement Bank', 20);
  const { createConsortium } = await bank.client.request(CreateConsortiumDocument, {
    input: { name: 'Trade Settlement', description: 'Cross-asset trade settlement (currencies, commodities, equities)', membershipName: 'Northwind — Currencies' },
  });
  const consortiumId = createConsortium.id;
  const currencies = createConsortium.myMemberships[0].id;
  // The bank's other desks: one membership each (MULTIPLE_MEMBERSHIPS).
  for (const desk of ['Northwind — Commodities', 'Northwind — Equities']) {
    await bank.client.request(CreateMembershipDocument, { input: { consortiumId, displayName: desk, membershipId: currencies, permissions: ['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS'] } });
  }

  // Partners, one per permission set they were offered, each accepting its invitation.
  const partners: { persona: Persona; org: string; permissions: Permission[] }[] = [];
  const offers: [string, string, string, Permission[]][] = [
    ['ops@harbor-logistics.example', 'Harbor Ops', 'Harbor Logistics', ['CREATE_SIGNERS']],
    ['it@meridian-custody.example', 'Meridian IT', 'Meridian Custody', ['MANAGE_ENVIRONMENTS']],
    ['partners@atlas-trading.example', 'Atlas Partnerships', 'Atlas Trading', ['INVITE_ORGANIZATIONS']],
    ['desk@summit-capital.example', 'Summit Desk', 'Summit Capital', ['MULTIPLE_MEMBERSHIPS']],
    ['admin@orion-clearing.example', 'Orion Admin', 'Orion Clearing', ['CREATE_SIGNERS', 'MANAGE_ENVIRONMENTS', 'INVITE_ORGANIZATIONS', 'MULTIPLE_MEMBERSHIPS']],
  ];
  for (const [email, name, orgName, permissions] of offers) {
    const p = await persona(email, name);
    const org = await organization(p, orgName, 5);
    const { inviteOrganization } = await bank.client.request(InviteOrganizationDocument, {
      input: { consortiumId, organizationId: org, permissions, membershipId: currencies },
    });
    await p.client.request(AcceptInvitationDocument, { id: inviteOrganization.id });
    partners.push({ persona: p, org, permissions });
  }

  // A pending invitation, and a pending application.
  const insurer = await persona('risk@coastal-insurance.example', 'Coastal Risk');
  const insurerOrg = await organization(insurer, 'Coastal Insurance', 2);
  await bank.client.request(InviteOrganizationDocument, { input: { consortiumId, organizationId: insurerOrg, membershipId: currencies } });
  const applicant = await persona('bd@pioneer-commodities.example', 'Pioneer BD');
  await organization(applicant, 'Pioneer Commodities', 2);
  await applicant.client.request(ApplyToJoinDocument, { input: { consortiumId, message: 'Physical commodities desk; we settle daily in USD and EUR.' } });

  // Environments with nodes, and a compiled contract.
  const { createEnvironment: mainnet } = await bank.client.request(CreateEnvironmentDocument, {
    input: { consortiumId, name: 'Settlement mainnet', client: 'QUORUM', consensus: 'RAFT', membershipId: currencies, maxSigners: 7 },
  });
  await bank.client.request(CreateEnvironmentDocument, { input: { consortiumId, name: 'Settlement sandbox', client: 'BESU', consensus: 'QBFT', membershipId: currencies } });
  await bank.client.request(CreateNodeDocument, { input: { environmentId: mainnet.id, name: 'northwind-signer-1', role: 'SIGNER', membershipId: currencies } });
  await bank.client.request(CreateNodeDocument, { input: { environmentId: mainnet.id, name: 'northwind-rpc-1', role: 'NON_SIGNER', membershipId: currencies } });
  const harbor = partners[0];
  await harbor.persona.client.request(CreateNodeDocument, { input: { environmentId: mainnet.id, name: 'harbor-signer-1', role: 'SIGNER' } });
  await partners[1].persona.client.request(CreateNodeDocument, { input: { environmentId: mainnet.id, name: 'meridian-rpc-1', role: 'NON_SIGNER' } });
  await bank.client.request(CreateCompilationDocument, { input: { consortiumId, name: 'SettlementEscrow', source: ESCROW, membershipId: currencies } });

  console.log(`Trade Settlement consortium ${consortiumId} on ${url} (bank organization ${bankOrg})\n`);
  console.log('Tokens (12 h), one per persona — paste as  Authorization: Bearer <token>:');
  for (const p of [bank, ...partners.map((x) => x.persona), insurer, applicant]) {
    console.log(`\n${p.name} <${p.email}>\n${p.token}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof GatewayError && error.code === 'CONFLICT') {
    console.error(`npm run demo: ${error.message}. The demo data seems to be there already: run it on a fresh database.`);
  } else if (error instanceof TypeError && /fetch failed/.test(error.message)) {
    console.error(`npm run demo: no gateway answers at ${url}: start it with npm start (or set GATEWAY_URL).`);
  } else {
    console.error('npm run demo failed:', error);
  }
  process.exit(1);
});
