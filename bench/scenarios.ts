import type { Dataset } from './seed';

/** One kind of request of the benchmark, sent the same way to every server. */
export interface Scenario {
  name: string;
  description: string;
  /** The gateway's query; the gateway twins and the bare baseline answer it too. */
  query: string;
  /**
   * PostGraphile 5's equivalent. Its field names differ (`consortiumByRowId`, `rowId`, `benchPglMe`,
   * `membershipsByConsortiumIdList`, `organizationByOrganizationId`, …): GraphQL aliases give
   * them the gateway's names, so the answers compare byte for byte without rewriting them.
   */
  peerQuery: string;
  variables(dataset: Dataset): Record<string, unknown>;
}

export const CONSORTIUM_DETAIL = /* GraphQL */ `
  query ConsortiumDetail($id: ID!) {
    consortium(id: $id) {
      id
      name
      description
      memberships(first: 50) {
        nodes {
          id
          displayName
          role
          status
          permissions
          organization { id name }
          invitedBy { id displayName }
        }
      }
      environments(first: 10) {
        nodes {
          id
          name
          client
          consensus
          release
          status
          nodes(first: 20) { nodes { id name role status membership { id displayName } } }
        }
      }
      compilations(first: 50) {
        nodes { id name version status compilerVersion }
      }
    }
  }
`;

/**
 * The same answer from PostGraphile: the gateway lists ACTIVE and FROZEN memberships and LIVE
 * environments in creation order; `statusIn` is the benchmark's IN condition (bench/postgraphile.ts).
 * Every list is one page of a fixed size (full at 1× data already) and no total is asked for, so
 * the answer has as many bytes at 10× and 50× data as at 1×.
 */
export const CONSORTIUM_DETAIL_PEER = /* GraphQL */ `
  query ConsortiumDetail($id: UUID!) {
    consortium: consortiumByRowId(rowId: $id) {
      id: rowId
      name
      description
      memberships: membershipsByConsortiumId(first: 50, condition: { statusIn: ["ACTIVE", "FROZEN"] }, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
        nodes {
          id: rowId
          displayName
          role
          status
          permissions
          organization: organizationByOrganizationId { id: rowId name }
          invitedBy: membershipByInvitedById { id: rowId displayName }
        }
      }
      environments: environmentsByConsortiumId(first: 10, condition: { status: "LIVE" }, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
        nodes {
          id: rowId
          name
          client
          consensus
          release
          status
          nodes: nodesByEnvironmentId(first: 20, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
            nodes { id: rowId name role status membership: membershipByMembershipId { id: rowId displayName } }
          }
        }
      }
      compilations: compilationsByConsortiumId(first: 50, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
        nodes { id: rowId name version status compilerVersion }
      }
    }
  }
`;

export const SCENARIOS: Scenario[] = [
  {
    name: 'me',
    description: 'me (small)',
    query: 'query Me { me { id email name accountRole } }',
    peerQuery: 'query Me { me: benchPglMe { id: rowId email name accountRole } }',
    variables: () => ({}),
  },
  {
    name: 'meOrganization',
    description: 'me { organization }',
    query: 'query MeOrganization { me { id email name accountRole organization { id name plan licenses } } }',
    peerQuery: 'query MeOrganization { me: benchPglMe { id: rowId email name accountRole organization: organizationByOrganizationId { id: rowId name plan licenses } } }',
    variables: () => ({}),
  },
  {
    name: 'consortium',
    description: 'large consortium: memberships + organizations, environments + nodes, compilations',
    query: CONSORTIUM_DETAIL,
    peerQuery: CONSORTIUM_DETAIL_PEER,
    variables: (d) => ({ id: d.largeConsortiumId }),
  },
  {
    name: 'myPermissions',
    description: 'myPermissions of the large consortium (24 decisions)',
    query: 'query MyPermissions($id: ID!) { myPermissions(consortiumId: $id) { action allowed reason } }',
    peerQuery: 'query MyPermissions($id: UUID!) { myPermissions(consortiumId: $id) { action allowed reason } }',
    variables: (d) => ({ id: d.largeConsortiumId }),
  },
];
