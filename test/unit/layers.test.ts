// Decide once: the shield rule of a field decides and hands its grant to the resolver, and the
// services below never decide again. A service that reaches for the authorization layer (Authz,
// the rules, the scope kinds, or the request's `authz`) fails here, whatever it was meant to do.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const MODULES = join(__dirname, '../../src/modules');

/** Files of the domain: everything in a feature folder but its resolvers and its module (rules). */
function domainFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return domainFiles(path);
    if (!entry.name.endsWith('.ts') || /\.(resolver|module)\.ts$/.test(entry.name)) return [];
    return [path];
  });
}

const AUTHORIZATION_LAYER = [
  { what: 'imports auth/authz', pattern: /from\s+['"][^'"]*auth\/authz['"]/ },
  { what: 'imports graphql/rules', pattern: /from\s+['"][^'"]*graphql\/rules['"]/ },
  { what: 'imports graphql/scopes', pattern: /from\s+['"][^'"]*graphql\/scopes['"]/ },
  { what: 'uses the request’s authz', pattern: /\bctx\.authz\b|\.authz\./ },
];

describe('layers', () => {
  it('finds the services it checks', () => {
    const files = domainFiles(MODULES).map((f) => relative(MODULES, f));
    expect(files).toContain('environment/environment.service.ts');
    expect(files).toContain('membership/invitation.service.ts');
    expect(files.some((f) => f.endsWith('.resolver.ts'))).toBe(false);
  });

  it('no service, helper or entity of a feature calls the authorization layer', () => {
    const offences: string[] = [];
    for (const file of domainFiles(MODULES)) {
      const source = readFileSync(file, 'utf8');
      for (const { what, pattern } of AUTHORIZATION_LAYER) {
        if (pattern.test(source)) offences.push(`${relative(MODULES, file)} ${what}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('the check itself catches an offence', () => {
    const offending = "import { Authz } from '../../auth/authz';\nawait ctx.authz.requireConsortium('node.delete', id);";
    expect(AUTHORIZATION_LAYER.filter(({ pattern }) => pattern.test(offending)).map((l) => l.what)).toEqual([
      'imports auth/authz',
      'uses the request’s authz',
    ]);
  });
});

// Status values are the enums' (parameters in statements, sqlLiteral in index expressions): a
// status spelled inside SQL text drifts from its enum unseen. Migrations keep the text they ran.
const SRC = join(__dirname, '../../src');
const SPELLED_STATUS = /\bstatus\s*(?:=|<>|!=)\s*'|\bstatus\s+(?:not\s+)?in\s*\(\s*'/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === join(SRC, 'db/migrations') ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('status values in SQL', () => {
  it('no statement or index of src spells a status: the enums are passed or interpolated', () => {
    const offences = sourceFiles(SRC).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => [line, i + 1] as const)
        .filter(([line]) => SPELLED_STATUS.test(line))
        .map(([, n]) => `${relative(SRC, file)}:${n}`),
    );
    expect(sourceFiles(SRC).length).toBeGreaterThan(50);
    expect(offences).toEqual([]);
  });

  it('the check itself catches a spelled status', () => {
    expect(SPELLED_STATUS.test("update node set status = 'STOPPED' where status = ?")).toBe(true);
    expect(SPELLED_STATUS.test("where status in ('ACTIVE', 'FROZEN')")).toBe(true);
    expect(SPELLED_STATUS.test('where status = ? and id = ?')).toBe(false);
  });
});
