import { GraphQLDateTimeISO } from 'graphql-scalars';
import { createUnionType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { EventKind } from './event.entity';
import { isRecord } from '../../validation';

// Typed event payloads: one GraphQL object type per event kind, so a client reads
// `... on InvitationSentPayload { invitationId expiresAt }` instead of untyped JSON. The stored
// JSON stays the truth (and stays readable as `rawPayload`); these types are a view of it.
// Every field is nullable: an event keeps the payload it was written with, whatever came later.

/** A change of one text value. */
@ObjectType({ simpleResolvers: true, description: 'A text value before and after a change' })
export class StringChange {
  @Field(() => String, { nullable: true })
  from!: string | null;

  @Field(() => String, { nullable: true })
  to!: string | null;
}

/** A change of one whole number. */
@ObjectType({ simpleResolvers: true, description: 'A number before and after a change' })
export class IntChange {
  @Field(() => Int, { nullable: true })
  from!: number | null;

  @Field(() => Int, { nullable: true })
  to!: number | null;
}

type Spec = 'ID' | 'String' | 'Int' | 'Float' | 'Boolean' | 'DateTime' | '[String]' | '[ID]' | 'StringChange' | 'IntChange';

const GRAPHQL_TYPE: Record<Spec, () => unknown> = {
  ID: () => ID,
  String: () => String,
  Int: () => Int,
  Float: () => Float,
  Boolean: () => Boolean,
  DateTime: () => GraphQLDateTimeISO,
  '[String]': () => [String],
  '[ID]': () => [ID],
  StringChange: () => StringChange,
  IntChange: () => IntChange,
};

const id = 'ID' as const;
const text = 'String' as const;
const int = 'Int' as const;
const texts = '[String]' as const;
const when = 'DateTime' as const;

const invitation = { invitationId: id, invitingMembershipId: id };
const chainAccount = { environmentId: id, membershipId: id, curve: text, address: text };
const node = { environmentId: id, membershipId: id, name: text, role: text, size: text };
const proposal = { proposalId: id, kind: text };
const serviceAccount = { serviceAccountId: id, clientId: text, name: text, accountRole: text, status: text, byUserId: id };
const tally = { voters: int, yes: int, no: int, pending: int };

/** The fields of each kind's payload, as the services write them. */
export const PAYLOAD_FIELDS: Record<EventKind, Record<string, Spec>> = {
  CONSORTIUM_CREATED: { name: text, description: text, membershipId: id, displayName: text },
  CONSORTIUM_UPDATED: { name: 'StringChange', description: 'StringChange' },
  CONSORTIUM_DELETED: { name: text, nodesStopped: int },
  NETWORK_ROLE_GRANTED: { role: text, previousRole: text },
  NETWORK_ROLE_REVOKED: { role: text, reason: text },
  INVITATION_SENT: {
    ...invitation, inviteeOrganizationId: id, inviteeOrganizationName: text, inviteeEmail: text, invitingMembershipName: text, permissions: texts,
    expiresAt: when,
  },
  INVITATION_ACCEPTED: { ...invitation, organizationId: id, organizationName: text, permissions: texts, next: text },
  INVITATION_DECLINED: { ...invitation, organizationId: id },
  INVITATION_REVOKED: { ...invitation, inviteeOrganizationId: id, reason: text },
  INVITATION_EXPIRED: { ...invitation, inviteeOrganizationId: id, expiresAt: when },
  APPLICATION_SUBMITTED: {
    applicationId: id, organizationId: id, organizationName: text, displayName: text, message: text, permissions: texts, invitationId: id, invitingMembershipId: id,
  },
  APPLICATION_WITHDRAWN: { applicationId: id, organizationId: id },
  APPLICATION_APPROVED: { applicationId: id, organizationId: id, organizationName: text, permissions: texts, membershipId: id },
  APPLICATION_REJECTED: { applicationId: id, organizationId: id, reason: text },
  MEMBER_JOINED: {
    membershipId: id, organizationId: id, organizationName: text, displayName: text, role: text, permissions: texts,
    invitedByMembershipId: id, via: text, invitationId: id, applicationId: id,
  },
  MEMBER_FROZEN: { membershipId: id, organizationId: id, displayName: text, status: text, reason: text },
  MEMBER_UNFROZEN: { membershipId: id, organizationId: id, displayName: text, status: text },
  MEMBER_LEFT: { membershipId: id, organizationId: id, displayName: text, stoppedNodeIds: '[ID]', revokedInvitationIds: '[ID]' },
  ENVIRONMENT_CREATED: { name: text, client: text, consensus: text, release: text, maxSigners: int, chainId: text },
  ENVIRONMENT_UPDATED: { name: 'StringChange', maxSigners: 'IntChange', release: 'StringChange' },
  ENVIRONMENT_DELETED: { name: text, nodesRemoved: int, certificatesRevoked: int },
  ENVIRONMENT_SECURITY_UPDATED: {
    allowList: texts, previousAllowList: texts, tlsMinVersion: text, previousTlsMinVersion: text, requireClientCertificate: 'Boolean',
  },
  NODE_CREATED: node,
  NODE_DELETED: node,
  NODE_STOPPED: node,
  NODE_EXPANDED: { ...node, from: text, to: text, additionalLicenses: int },
  CERTIFICATE_ISSUED: { environmentId: id, membershipId: id, serial: text, subject: text, notAfter: when, revokedSerial: text },
  CERTIFICATE_REVOKED: { environmentId: id, membershipId: id, serial: text },
  COMPILATION_CREATED: { name: text, version: int, contractName: text, previousVersionId: id },
  COMPILATION_STATUS_CHANGED: { name: text, version: int, from: text, to: text, edited: 'Boolean', compilerVersion: text, errors: texts },
  COMPILATION_PROMOTED: { name: text, version: int, environmentId: id, promotionId: id },
  PROPOSAL_CREATED: { ...proposal, proposerMembershipId: id, consortiumId: id, description: text, voters: '[ID]', thresholdPercent: int, comparator: text, expiresAt: when },
  VOTE_CAST: { ...proposal, organizationId: id, choice: text, yes: int, no: int, pending: int },
  PROPOSAL_APPROVED: { ...proposal, ...tally },
  PROPOSAL_REJECTED: { ...proposal, ...tally },
  PROPOSAL_EXPIRED: { ...proposal, ...tally, expiresAt: when },
  PROPOSAL_WITHDRAWN: proposal,
  PROPOSAL_EXECUTED: proposal,
  PROPOSAL_ACTION_FAILED: { ...proposal, reason: text },
  POLICY_CHANGED: { thresholdPercent: int, comparator: text, durationHours: int, needsVote: texts, proposalId: id },
  MEMBER_REMOVED: {
    organizationId: id, membershipIds: '[ID]', stoppedNodeIds: '[ID]', revokedInvitationIds: '[ID]', revokedNetworkRoleUserIds: '[ID]', proposalId: id,
  },
  ADMINISTRATION_TRANSFERRED: {
    fromMembershipId: id, fromOrganizationId: id, toMembershipId: id, toOrganizationId: id, toDisplayName: text, proposalId: id,
  },
  CHAIN_ACCOUNT_CREATED: chainAccount,
  CHAIN_ACCOUNT_KEY_ROTATED: { ...chainAccount, previousAddress: text, newAccount: 'Boolean', newAccountId: id },
  CHAIN_ACCOUNT_FROZEN: { ...chainAccount, byAdministrator: 'Boolean' },
  CHAIN_ACCOUNT_UNFROZEN: { ...chainAccount, byAdministrator: 'Boolean' },
  INVITATION_DELIVERED: { ...invitation, inviteeOrganizationId: id, inviteeEmail: text, expiresAt: when },
  SERVICE_ACCOUNT_REGISTERED: serviceAccount,
  SERVICE_ACCOUNT_SUSPENDED: serviceAccount,
  SERVICE_ACCOUNT_REACTIVATED: serviceAccount,
  SERVICE_ACCOUNT_DELETED: serviceAccount,
};

/** Some payloads nest their changes under one key; the typed view lifts them up. */
const NESTED: Partial<Record<EventKind, string>> = { CONSORTIUM_UPDATED: 'changed' };

const pascal = (kind: string) => kind.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());

function payloadClass(kind: EventKind): new () => object {
  const name = `${pascal(kind)}Payload`;
  const cls = { [name]: class {} }[name];
  for (const [field, spec] of Object.entries(PAYLOAD_FIELDS[kind])) {
    Field(GRAPHQL_TYPE[spec] as () => StringConstructor, { nullable: true })(cls.prototype, field);
  }
  ObjectType(name, { simpleResolvers: true, description: `Recorded by ${kind} events` })(cls);
  return cls;
}

const CLASSES = new Map<EventKind, new () => object>(Object.values(EventKind).map((kind) => [kind, payloadClass(kind)]));

export const EventPayload = createUnionType({
  name: 'EventPayload',
  description: 'The payload of an event, typed by its kind (one object type per EventKind); `Event.rawPayload` has the stored JSON',
  // No resolveType: type-graphql's own is synchronous (instanceof of the classes above), which
  // graphql-jit needs; a resolveType given here would be wrapped in an async function.
  types: () => [...CLASSES.values()] as [new () => object, ...(new () => object)[]],
});

function fits(spec: Spec, value: unknown): boolean {
  switch (spec) {
    case 'ID':
    case 'String':
    case 'DateTime':
      return typeof value === 'string';
    case 'Int':
      return Number.isInteger(value);
    case 'Float':
      return typeof value === 'number';
    case 'Boolean':
      return typeof value === 'boolean';
    case '[String]':
    case '[ID]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'StringChange':
    case 'IntChange':
      return isRecord(value);
  }
}

/** The typed view of a stored payload: the fields of its kind whose stored values have that type. */
export function typedPayload(kind: EventKind, raw: Record<string, unknown>): object {
  const cls = CLASSES.get(kind)!;
  const nested = NESTED[kind];
  const source = nested && typeof raw[nested] === 'object' && raw[nested] !== null ? (raw[nested] as Record<string, unknown>) : raw;
  const out = new cls() as Record<string, unknown>;
  for (const [field, spec] of Object.entries(PAYLOAD_FIELDS[kind])) {
    let value = source[field];
    if (spec === 'Int' && typeof value === 'string' && /^\d+$/.test(value)) value = Number(value);
    out[field] = value !== undefined && value !== null && fits(spec, value) ? value : null;
  }
  return out;
}
