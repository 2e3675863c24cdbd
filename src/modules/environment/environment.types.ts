import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/pagination';
import { Node, NodeRole } from '../node/node.entity';
import { Environment } from './environment.entity';
import { ChainClient, Consensus } from './catalog';
import { TlsMinVersion } from './security-policy';

/** A membership's certificate in one environment, as the connection profile reports it. */
export enum MembershipCertificateStatus {
  ACTIVE = 'ACTIVE',
  REVOKED = 'REVOKED',
  NONE = 'NONE',
}

@ObjectType('TlsPolicy', { simpleResolvers: true, description: "The TLS policy of an environment's node endpoints" })
export class TlsPolicyView {
  @Field(() => TlsMinVersion)
  minVersion!: TlsMinVersion;

  @Field(() => Boolean, { description: "Mutual TLS: clients present a certificate of the consortium's authority" })
  requireClientCertificate!: boolean;
}

@ObjectType('EnvironmentSecurity', { simpleResolvers: true, description: "Who may reach an environment's node endpoints, and how (§8.2 security editing)" })
export class EnvironmentSecurity {
  @Field(() => [String], { description: 'Client networks admitted, as canonical CIDR ranges; empty admits every client' })
  allowList!: string[];

  @Field(() => TlsPolicyView)
  tls!: TlsPolicyView;
}

@InputType()
export class TlsPolicyInput {
  @Field(() => TlsMinVersion, { nullable: true, description: 'Default TLS1_2' })
  minVersion?: TlsMinVersion | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false' })
  requireClientCertificate?: boolean | null;
}

@InputType()
export class EnvironmentSecurityInput {
  @Field(() => [String], {
    description: 'CIDR ranges such as 10.0.0.0/8 or 2001:db8::/32 (a bare address is one host; no host bits; at most 100); [] admits every client',
  })
  allowList!: string[];

  @Field(() => TlsPolicyInput)
  tls!: TlsPolicyInput;
}

@InputType()
export class CreateEnvironmentInput {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => String, { description: '1 to 60 characters, unique among the consortium’s live environments' })
  name!: string;

  @Field(() => ChainClient)
  client!: ChainClient;

  @Field(() => Consensus, { description: 'Must be one the client supports (RAFT only with QUORUM)' })
  consensus!: Consensus;

  @Field(() => String, { nullable: true, description: 'A catalog release of the client; default: the newest' })
  release?: string | null;

  @Field(() => Int, { nullable: true, description: 'Limit on signer nodes (1 to 64); none when omitted' })
  maxSigners?: number | null;

  @Field(() => ID, { nullable: true, description: 'The membership to act through (needed when your organization holds several)' })
  membershipId?: string | null;
}

@InputType()
export class UpdateEnvironmentInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'New signer limit (1 to 64); explicit null removes the limit; cannot go below the running signers',
  })
  maxSigners?: number | null;

  @Field(() => ID, { nullable: true })
  membershipId?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'Where a running node answers. Derived from the node id: the gateway governs chains, it does not run them' })
export class NodeEndpoint {
  @Field(() => ID)
  nodeId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => NodeRole)
  role!: NodeRole;

  @Field(() => String, { description: 'JSON-RPC over HTTPS' })
  rpcUrl!: string;

  @Field(() => String, { description: 'JSON-RPC over WebSocket' })
  wsUrl!: string;
}

@ObjectType({ simpleResolvers: true, description: '“Download the SDK”: what a member needs to connect to one environment' })
export class ConnectionProfile {
  @Field(() => ID)
  environmentId!: string;

  @Field(() => ID, { description: 'The membership this profile was made for (the acting membership)' })
  membershipId!: string;

  @Field(() => String, { description: 'EVM chain id (decimal string)' })
  chainId!: string;

  @Field(() => ChainClient)
  client!: ChainClient;

  @Field(() => Consensus)
  consensus!: Consensus;

  @Field(() => String)
  release!: string;

  @Field(() => [NodeEndpoint], { description: 'Endpoints of the environment’s RUNNING nodes' })
  nodes!: NodeEndpoint[];

  @Field(() => MembershipCertificateStatus, { description: 'The acting membership’s certificate in this environment' })
  certificateStatus!: MembershipCertificateStatus;

  @Field(() => String, { description: 'The environment CA certificate (PEM), to verify members’ certificates' })
  caCertificatePem!: string;

  @Field(() => EnvironmentSecurity, { description: 'The allow-list and TLS policy the node endpoints enforce' })
  security!: EnvironmentSecurity;
}

/** A page of a consortium's live environments, oldest first. */
export const EnvironmentConnection = Connection(Environment, 'Environment');

/** A page of an environment's nodes, oldest first. */
export const NodeConnection = Connection(Node, 'Node');
