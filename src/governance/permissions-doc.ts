// docs/permissions.md is rendered from grid.ts so the document cannot drift from the code that
// decides; a CLI writes it and CI compares. Output is deterministic (no dates, grid order).
import {
  ACCOUNT_ROLE_CONSORTIUM_ACTIONS,
  ACCOUNT_ROLE_CONSORTIUM_GRID,
  CONSORTIUM_ACTIONS,
  CONSORTIUM_GRID,
  EFFECTIVE_ROLE_TABLE,
  NO_NETWORK_ROLE,
  ORGANIZATION_ACTIONS,
  ORGANIZATION_ACTION_INFO,
  ORGANIZATION_GRID,
  TOWARDS_CONSORTIUM_ACTIONS,
  TOWARDS_CONSORTIUM_ACTION_INFO,
  TOWARDS_CONSORTIUM_GRID,
  type AccountRoleSet,
  type ActionInfo,
  type MemberRule,
} from './grid';
import { ALL_PERMISSIONS, AccountRole, ConsortiumRole, NetworkRole } from './roles';
import { ALL_PROPOSAL_KINDS, DIRECT_ACTION_OF_KIND } from './voting-policy';

const ACCOUNT_ROLES = Object.values(AccountRole);
const yn = (value: boolean): string => (value ? 'Y' : 'N');
const code = (text: string): string => `\`${text}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|');
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
const header = (cells: readonly string[]): string[] => [row(cells), row(cells.map(() => '---'))];

function memberCell(member: MemberRule): string {
  if (member === 'own') return 'Y (own only)';
  if (typeof member === 'boolean') return yn(member);
  return `permission ${code(member)}`;
}

function accountRoleTable<A extends string>(
  actions: readonly A[],
  grid: Readonly<Record<A, AccountRoleSet>>,
  info: Readonly<Record<A, ActionInfo>>,
): string[] {
  const lines = header(['action', 'description', ...ACCOUNT_ROLES]);
  const notes: string[] = [];
  for (const action of actions) {
    const { description, note } = info[action];
    lines.push(row([code(action), cell(description), ...ACCOUNT_ROLES.map((r) => yn(grid[action].has(r)))]));
    if (note) notes.push(`- ${code(action)}: ${note}.`);
  }
  return notes.length > 0 ? [...lines, '', ...notes] : lines;
}

function layerA(): string[] {
  return [
    '## Layer A — a user inside their own organization',
    '',
    'Decided by the user\'s account role in their own organization. A user with no account role there may do none of these.',
    '',
    ...accountRoleTable(ORGANIZATION_ACTIONS, ORGANIZATION_GRID, ORGANIZATION_ACTION_INFO),
    '',
    '### Towards a consortium, without a membership',
    '',
    ...accountRoleTable(TOWARDS_CONSORTIUM_ACTIONS, TOWARDS_CONSORTIUM_GRID, TOWARDS_CONSORTIUM_ACTION_INFO),
  ];
}

function layerB(): string[] {
  const rows: (NetworkRole | typeof NO_NETWORK_ROLE)[] = [...Object.values(NetworkRole), NO_NETWORK_ROLE];
  return [
    '## Layer B — a user\'s effective role in a consortium',
    '',
    'Rows: network role in the consortium; columns: account role. The higher of the two wins; OPERATOR ranks with MEMBER.',
    '',
    ...header(['network role \\ account role', ...ACCOUNT_ROLES]),
    ...rows.map((network) =>
      row([network === NO_NETWORK_ROLE ? 'none' : network, ...ACCOUNT_ROLES.map((a) => EFFECTIVE_ROLE_TABLE[network][a])]),
    ),
  ];
}

function layerC(): string[] {
  return [
    '## Layer C — an organization\'s membership in a consortium',
    '',
    'Allowed when all hold: the organization acts through a membership of the consortium that is ACTIVE',
    '(a FROZEN one only where "while FROZEN" says Y, a LEFT one never; an organization with any FROZEN',
    'membership there acts as FROZEN through every membership it names); its consortium role allows the',
    'action (a MEMBER where the cell says Y, or holds the named permission, or owns the resource for',
    '"own only"); and the user\'s effective role (Layer B) is at least the minimum.',
    '',
    'An account GUEST with no network role in a consortium does not see it at all: the consortium and',
    'everything in it answer NOT_FOUND, as for an outsider. Network-role events are shown whole to the',
    'organization of the user concerned and to administrator memberships; other members see only that',
    'a role changed. Network roles end with the organization\'s last ACTIVE or FROZEN membership.',
    '',
    ...header(['action', 'description', ConsortiumRole.ADMINISTRATOR, ConsortiumRole.MEMBER, 'min effective role', 'while FROZEN']),
    ...CONSORTIUM_ACTIONS.map((action) => {
      const rule = CONSORTIUM_GRID[action];
      return row([
        code(action),
        cell(rule.description),
        yn(rule.administrator),
        memberCell(rule.member),
        rule.minRole,
        yn(rule.frozenAllowed),
      ]);
    }),
  ];
}

function byAccountRole(): string[] {
  return [
    '### Decided by account role alone',
    '',
    'No network role grants these: the user\'s account role decides, through an ACTIVE membership (of an',
    'organization that is not frozen) whose consortium role or permission allows the Layer C action named.',
    '',
    ...header(['action', 'description', ...ACCOUNT_ROLES, 'membership may']),
    ...ACCOUNT_ROLE_CONSORTIUM_ACTIONS.map((action) => {
      const rule = ACCOUNT_ROLE_CONSORTIUM_GRID[action];
      return row([code(action), cell(rule.description), ...ACCOUNT_ROLES.map((r) => yn(rule.accountRoles.has(r))), code(rule.membershipMay)]);
    }),
  ];
}

function byVote(): string[] {
  return [
    '### Decided by vote where the voting policy says so',
    '',
    'Where the consortium\'s voting policy lists a kind, its direct action is refused (CONFLICT) and the change',
    'goes through a proposal of that kind (`proposal.create`, `proposal.vote`). By default no kind needs a vote.',
    '',
    ...header(['proposal kind', 'direct action']),
    ...ALL_PROPOSAL_KINDS.map((kind) => row([code(kind), code(DIRECT_ACTION_OF_KIND[kind])])),
  ];
}

function kaleidoPermissions(): string[] {
  return [
    '## Kaleido permissions',
    '',
    'An ADMINISTRATOR membership holds all four. A MEMBER holds those offered when it was created; they never change.',
    '',
    ...header(['permission', 'lets a MEMBER']),
    ...ALL_PERMISSIONS.map((permission) => {
      const actions = CONSORTIUM_ACTIONS.filter((a) => CONSORTIUM_GRID[a].member === permission);
      return row([code(permission), actions.map(code).join(', ')]);
    }),
  ];
}

/** The whole permission model as Markdown, rendered from grid.ts for docs/permissions.md. */
export function renderPermissionsMarkdown(): string {
  const sections = [
    [
      '# Permissions',
      '',
      'Generated from `src/governance/grid.ts` by `renderPermissionsMarkdown()`: do not edit by hand.',
      'The rules behind these tables are in `governance.md` §2–5 and §8 of the shared specification.',
    ],
    layerA(),
    layerB(),
    layerC(),
    byAccountRole(),
    byVote(),
    kaleidoPermissions(),
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
