import { describe, expect, it } from 'vitest';
import { renderPermissionsMarkdown } from '../../src/governance';
import { ACCOUNT_ROLES, ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS, CONSORTIUM_ACTION_KEYS, NETWORK_ROWS, ORGANIZATION_ACTION_KEYS, matrix } from './matrix';

const doc = renderPermissionsMarkdown();

/** Rows of the first table under the heading that starts with `title`, as trimmed cells. */
function table(title: string): string[][] {
  const start = doc.split('\n').findIndex((line) => line.startsWith('#') && line.includes(title));
  expect(start, `section "${title}" is missing`).toBeGreaterThanOrEqual(0);
  const lines = doc.split('\n').slice(start + 1);
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

const yn = (v: boolean): string => (v ? 'Y' : 'N');
const strip = (c: string): string => c.replace(/`/g, '');

describe('renderPermissionsMarkdown', () => {
  it('is deterministic and ends with a newline', () => {
    expect(renderPermissionsMarkdown()).toBe(doc);
    expect(doc.endsWith('\n')).toBe(true);
  });

  it('Layer A: one row per action, Y/N per account role as in the matrix', () => {
    const rows = table('Layer A');
    expect(rows.map((r) => strip(r[0]))).toEqual(ORGANIZATION_ACTION_KEYS);
    for (const [action, , ...cells] of rows) {
      expect(cells).toEqual(ACCOUNT_ROLES.map((role) => yn(matrix.organizationActions[strip(action)][role])));
    }
  });

  it('towards a consortium: OWNER and ADMIN only', () => {
    const rows = table('Towards a consortium');
    const towards = matrix.organizationTowardsConsortium;
    expect(rows.map((r) => strip(r[0])).sort()).toEqual(Object.keys(towards).sort());
    for (const [action, , ...cells] of rows) {
      expect(cells).toEqual(ACCOUNT_ROLES.map((role) => yn(towards[strip(action)].accountRoles.includes(role))));
    }
  });

  it('Layer B: the effective role of every network row × account role', () => {
    const rows = table('Layer B');
    expect(rows.map((r) => r[0])).toEqual(NETWORK_ROWS.map((n) => (n === 'NONE' ? 'none' : n)));
    rows.forEach(([, ...cells], i) => {
      expect(cells).toEqual(ACCOUNT_ROLES.map((role) => matrix.effectiveRole[NETWORK_ROWS[i]][role]));
    });
  });

  it('Layer C: consortium roles with Kaleido permission names, min role, frozen allowed', () => {
    const rows = table('Layer C');
    expect(rows.map((r) => strip(r[0]))).toEqual(CONSORTIUM_ACTION_KEYS);
    const member = (v: boolean | string): string =>
      v === 'own' ? 'Y (own only)' : typeof v === 'boolean' ? yn(v) : `permission ${v}`;
    for (const [action, , administrator, memberCell, minRole, frozen] of rows) {
      const cell = matrix.consortiumActions[strip(action)];
      expect([administrator, strip(memberCell), minRole, frozen]).toEqual([
        yn(cell.ADMINISTRATOR === true),
        member(cell.MEMBER),
        cell.minRole,
        yn(cell.frozenAllowed),
      ]);
    }
  });

  it('decided by account role alone: Y/N per account role and the Layer C action the membership needs', () => {
    const rows = table('Decided by account role alone');
    expect(rows.map((r) => strip(r[0]))).toEqual(ACCOUNT_ROLE_CONSORTIUM_ACTION_KEYS);
    for (const [action, , ...cells] of rows) {
      const row = matrix.accountRoleConsortiumActions[strip(action)];
      expect(cells.map(strip)).toEqual([...ACCOUNT_ROLES.map((role) => yn(row.accountRoles.includes(role))), row.membershipMay]);
    }
  });

  it('decided by vote: each proposal kind with its direct action', () => {
    const rows = table('Decided by vote');
    expect(Object.fromEntries(rows.map(([kind, action]) => [strip(kind), strip(action)]))).toEqual(matrix.voting.directActionOfKind);
  });
});
