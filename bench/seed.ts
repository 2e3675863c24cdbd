import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createCertificateAuthority, deriveKey, encryptPrivateKey } from '../src/modules/certificate/ca';
import { chainIdFor } from '../src/modules/environment/catalog';

/** The size of a benchmark data set. */
export interface DatasetSize {
  organizations: number;
  consortia: number;
  /** Memberships of the large consortium. */
  memberships: number;
  environments: number;
  /** Nodes of the large consortium, spread over its environments and memberships. */
  nodes: number;
  compilations: number;
}

export const LARGE: DatasetSize = { organizations: 50, consortia: 5, memberships: 50, environments: 10, nodes: 200, compilations: 50 };
/** A data set k times the size of another: every count multiplied. */
export function scaled(size: DatasetSize, k: number): DatasetSize {
  return Object.fromEntries(Object.entries(size).map(([key, n]) => [key, n * k])) as unknown as DatasetSize;
}

export const SMALL: DatasetSize = { organizations: 5, consortia: 2, memberships: 3, environments: 2, nodes: 4, compilations: 2 };

export interface Dataset {
  size: DatasetSize;
  /** The user the load is sent as: OWNER of the large consortium's administrator organization. */
  user: { subject: string; email: string };
  largeConsortiumId: string;
}

const ABI = [
  { type: 'function', name: 'balanceOf', stateMutability: 'view', inputs: [{ name: 'owner', type: 'address' }], outputs: [{ name: '', type: 'uint256' }] },
  { type: 'function', name: 'transfer', stateMutability: 'nonpayable', inputs: [{ name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }], outputs: [{ name: '', type: 'bool' }] },
  { type: 'event', name: 'Transfer', anonymous: false, inputs: [{ name: 'from', type: 'address', indexed: true }, { name: 'to', type: 'address', indexed: true }, { name: 'value', type: 'uint256', indexed: false }] },
];
const SOURCE = 'pragma solidity ^0.8.20;\ncontract Token { mapping(address => uint256) public balanceOf; }\n';
const ALL_PERMISSIONS = '{CREATE_SIGNERS,MANAGE_ENVIRONMENTS,INVITE_ORGANIZATIONS,MULTIPLE_MEMBERSHIPS}';

/**
 * Writes a realistic data set straight into a migrated database: organizations with owners and
 * licenses, consortia, one large consortium with its memberships (an invitation chain),
 * environments with real CAs, nodes and compiled contracts.
 */
export async function seedDataset(url: string, size: DatasetSize, caKeySecret: string, tag: string): Promise<Dataset> {
  const db = new Client({ connectionString: url });
  await db.connect();
  const key = deriveKey(caKeySecret);
  try {
    await db.query('begin');
    const orgs: string[] = [];
    const users: string[] = [];
    for (let i = 0; i < size.organizations; i++) {
      const org = randomUUID();
      const user = randomUUID();
      orgs.push(org);
      users.push(user);
      await db.query(
        `insert into organization (id, name, plan, licenses, billing_contact) values ($1, $2, 'ENTERPRISE', 1000, $3)`,
        [org, `Organization ${i} ${tag}`, `billing${i}@example.test`],
      );
      await db.query(
        `insert into app_user (id, subject, email, name, organization_id, account_role) values ($1, $2, $3, $4, $5, 'OWNER')`,
        [user, `bench|${tag}|${i}`, `owner${i}.${tag}@example.test`, `Owner ${i}`, org],
      );
    }
    let large = '';
    const memberships: string[] = [];
    for (let c = 0; c < size.consortia; c++) {
      const consortium = randomUUID();
      if (c === 0) large = consortium;
      await db.query(`insert into consortium (id, name, description, creator_organization_id) values ($1, $2, $3, $4)`, [
        consortium,
        `Consortium ${c} ${tag}`,
        `Trade finance network ${c}`,
        orgs[0],
      ]);
      const count = c === 0 ? size.memberships : Math.min(3, size.organizations);
      let inviter: string | null = null;
      for (let m = 0; m < count; m++) {
        const membership = randomUUID();
        const admin = m === 0;
        await db.query(
          `insert into membership (id, consortium_id, organization_id, display_name, role, permissions, status, invited_by_id)
           values ($1, $2, $3, $4, $5, $6, 'ACTIVE', $7)`,
          [membership, consortium, orgs[m % size.organizations], `Member ${m}`, admin ? 'ADMINISTRATOR' : 'MEMBER', admin ? ALL_PERMISSIONS : '{INVITE_ORGANIZATIONS}', inviter],
        );
        inviter ??= membership;
        if (c === 0) memberships.push(membership);
      }
      await db.query(`insert into network_role (id, user_id, consortium_id, role) values ($1, $2, $3, 'OWNER')`, [randomUUID(), users[0], consortium]);
    }
    const ca = await createCertificateAuthority({ commonName: `bench ${tag} CA`, organization: `Consortium 0 ${tag}` });
    const encrypted = encryptPrivateKey(ca.privateKeyPkcs8, key);
    for (let e = 0; e < size.environments; e++) {
      const environment = randomUUID();
      await db.query(
        `insert into environment (id, consortium_id, name, client, consensus, release, max_signers, chain_id, status,
           ca_certificate_pem, ca_private_key_encrypted, created_by_id)
         values ($1, $2, $3, 'BESU', 'QBFT', '25.7.0', null, $4, 'LIVE', $5, $6, $7)`,
        [environment, large, `env-${e}`, String(chainIdFor(environment)), ca.certificatePem, encrypted, memberships[0]],
      );
      const perEnv = Math.ceil(size.nodes / size.environments);
      for (let n = 0; n < perEnv && e * perEnv + n < size.nodes; n++) {
        const index = e * perEnv + n;
        await db.query(
          `insert into node (id, environment_id, membership_id, name, role, status) values ($1, $2, $3, $4, $5, 'RUNNING')`,
          [randomUUID(), environment, memberships[index % memberships.length], `node-${index}`, n < 4 ? 'SIGNER' : 'NON_SIGNER'],
        );
      }
    }
    for (let k = 0; k < size.compilations; k++) {
      await db.query(
        `insert into compilation (id, consortium_id, name, version, source, contract_name, status, compiler_version, bytecode,
           deployed_bytecode, abi, errors, created_by_id)
         values ($1, $2, $3, 1, $4, 'Token', 'COMPILED', '0.8.37+commit.bench', $5, $5, $6, null, $7)`,
        [randomUUID(), large, `contract-${k}`, SOURCE, `0x6080604052${'00'.repeat(200)}`, JSON.stringify(ABI), memberships[k % memberships.length]],
      );
    }
    await db.query('commit');
    // Planner statistics of the new rows, as autovacuum would gather them within a minute or so:
    // measured from the first round, not after autovacuum happens to run.
    await db.query('analyze');
    return { size, user: { subject: `bench|${tag}|0`, email: `owner0.${tag}@example.test` }, largeConsortiumId: large };
  } catch (error) {
    await db.query('rollback');
    throw error;
  } finally {
    await db.end();
  }
}
