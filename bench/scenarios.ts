import type { Dataset } from './seed';

/** One kind of request of the benchmark, sent the same way to every server. */
export interface Scenario {
  name: string;
  description: string;
  query: string;
  variables(dataset: Dataset): Record<string, unknown>;
}

export const CONSORTIUM_DETAIL = /* GraphQL */ `
  query ConsortiumDetail($id: ID!) {
    consortium(id: $id) {
      id
      name
      description
      memberships {
        id
        displayName
        role
        status
        permissions
        organization { id name }
        invitedBy { id displayName }
      }
      environments {
        id
        name
        client
        consensus
        release
        status
        nodes { id name role status membership { id displayName } }
      }
      compilations(first: 50) {
        totalCount
        nodes { id name version status compilerVersion }
      }
    }
  }
`;

export const SCENARIOS: Scenario[] = [
  {
    name: 'me',
    description: 'me (small)',
    query: 'query Me { me { id email name accountRole } }',
    variables: () => ({}),
  },
  {
    name: 'consortium',
    description: 'large consortium: memberships + organizations, environments + nodes, compilations',
    query: CONSORTIUM_DETAIL,
    variables: (d) => ({ id: d.largeConsortiumId }),
  },
  {
    name: 'myPermissions',
    description: 'myPermissions of the large consortium (24 decisions)',
    query: 'query MyPermissions($id: ID!) { myPermissions(consortiumId: $id) { action allowed reason } }',
    variables: (d) => ({ id: d.largeConsortiumId }),
  },
];
