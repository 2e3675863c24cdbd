// A partner organization's program: prints every event of one consortium (or, without
// CONSORTIUM_ID, every event addressed to its organization) exactly once, in order, across
// network errors and gateway restarts. See README.md next to this file.
//
//   GATEWAY_URL=http://localhost:4000/graphql TOKEN_URL=https://idp.example/oauth/token \
//   CLIENT_ID=… CLIENT_SECRET=… [CONSORTIUM_ID=…] [STATE_FILE=partner-subscriber.state] \
//   node dist/examples/partner-subscriber/index.js
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import {
  ConsortiumEventsDocument,
  createGatewayClient,
  GatewayError,
  OrganizationEventsDocument,
  type GovernanceEventFragment,
} from '../../client/src';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`partner-subscriber: set ${name}`);
    process.exit(64);
  }
  return value;
}

const gatewayUrl = required('GATEWAY_URL');
const tokenUrl = required('TOKEN_URL');
const clientId = required('CLIENT_ID');
const clientSecret = required('CLIENT_SECRET');
const consortiumId = process.env.CONSORTIUM_ID || null;
const stateFile = process.env.STATE_FILE || 'partner-subscriber.state';

/** OAuth 2.0 client credentials (RFC 6749 §4.4): a fresh access token for every connection. */
async function clientCredentialsToken(): Promise<string> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error('token endpoint answered without access_token');
  return body.access_token;
}

/** The last sequence printed, kept across runs; written atomically after every event. */
function readState(): number | null {
  if (!existsSync(stateFile)) return null;
  const value = Number(readFileSync(stateFile, 'utf8').trim());
  return Number.isFinite(value) && value > 0 ? value : null;
}
function writeState(sequence: number): void {
  writeFileSync(`${stateFile}.tmp`, `${sequence}\n`);
  renameSync(`${stateFile}.tmp`, stateFile);
}

function describe(event: GovernanceEventFragment): string {
  const p = event.payload;
  switch (p.__typename) {
    case 'InvitationSentPayload':
      return `invitation ${p.invitationId} to ${p.inviteeOrganizationName ?? p.inviteeOrganizationId ?? p.inviteeEmail}, expires ${p.expiresAt}`;
    case 'MemberJoinedPayload':
      return `${p.organizationName ?? p.organizationId} joined as ${p.role}`;
    case 'ConsortiumUpdatedPayload':
      return p.name ? `renamed "${p.name.from}" → "${p.name.to}"` : 'description changed';
    case 'MemberFrozenPayload':
    case 'MemberUnfrozenPayload':
      return `membership ${p.membershipId} is ${p.status}`;
    default:
      return JSON.stringify(event.rawPayload);
  }
}

const client = createGatewayClient({ url: gatewayUrl, getToken: clientCredentialsToken, webSocketImpl: WebSocket });
const after = readState();
const print = (event: GovernanceEventFragment) => {
  console.log(`EVENT ${event.sequence} ${event.kind} ${event.subjectType} ${event.subjectId} ${describe(event)}`);
  writeState(event.sequence);
};
const onRetry = ({ attempt, delayMs, reason }: { attempt: number; delayMs: number; reason: string }) =>
  console.error(`partner-subscriber: ${reason}; retrying in ${delayMs} ms (attempt ${attempt})`);

const subscription = consortiumId
  ? client.subscribeResumable(ConsortiumEventsDocument, { consortiumId, after }, {
      next: (data) => print(data.consortiumEvents),
      sequenceOf: (data) => data.consortiumEvents.sequence,
      onRetry,
    })
  : client.subscribeResumable(OrganizationEventsDocument, { after }, {
      next: (data) => print(data.organizationEvents),
      sequenceOf: (data) => data.organizationEvents.sequence,
      onRetry,
    });

console.error(`partner-subscriber: watching ${consortiumId ? `consortium ${consortiumId}` : 'our organization'} after ${after ?? 'now'}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => subscription.stop());

subscription.done.then(
  () => {
    console.error('partner-subscriber: stopped');
    process.exit(0);
  },
  (error: unknown) => {
    if (error instanceof GatewayError && error.code === 'CREDENTIAL_REFUSED') {
      console.error('partner-subscriber: the gateway refused our credential (4403). Check CLIENT_ID/CLIENT_SECRET, that the client id is registered as an ACTIVE service account of our organization, and that the gateway trusts this identity provider. Not retrying.');
      process.exit(2);
    }
    console.error(`partner-subscriber: giving up: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
