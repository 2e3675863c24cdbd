import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

/**
 * Places in a file's text that reach outside the repository: a relative path that climbs above
 * the root from every place it may be resolved from (the file's folder, its compiled copy under
 * dist/, or the repository root where scripts run), or a name of the specification folder that
 * sits beside the repository on development machines.
 */
export function outsideReferences(file: string, text: string): string[] {
  const found: string[] = [];
  if (/\bshared\/(spec|design|notes)\b|permission-matrix\.json/.test(text)) found.push('names the specification folder beside the repository');
  for (const match of text.matchAll(/(?:^|[\s'"`(=,])((?:\.\.\/)*\.\.(?:\/[\w.@-]+)*\/?)(?=$|[\s'"`),;])/gm)) {
    const path = match[1];
    const fromFile = resolve(root, dirname(file), path);
    // src/ and bench/ run compiled, from dist/ (tsconfig.build.json); tests run from source.
    const fromCompiled = /^(src|bench)\//.test(file) ? resolve(root, 'dist', dirname(file), path) : fromFile;
    const fromRoot = resolve(root, path);
    const outside = (p: string) => {
      const rel = relative(root, p);
      return rel.startsWith('..') || isAbsolute(rel);
    };
    if (outside(fromFile) && outside(fromCompiled) && outside(fromRoot)) found.push(path);
  }
  return found;
}

function trackedFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'src', 'test', 'bench', '.ci'], { cwd: root });
  return listed.toString().split('\n').filter((f) => f && !f.endsWith('.json') && !f.endsWith('.png'));
}

describe('the repository is self-contained', () => {
  it('the check finds a path above the repository, and passes paths inside it', () => {
    // Samples are assembled, so that this file itself never names a path beside the repository.
    const beside = ['..', 'shared'].join('/');
    expect(outsideReferences('test/governance/x.ts', `readFileSync(resolve(__dirname, '../../${beside}/x.json'))`)).not.toEqual([]);
    expect(outsideReferences('test/x.ts', `const spec = '${beside}/spec/governance.md'`)).not.toEqual([]);
    expect(outsideReferences('.ci/run', 'cat ../../elsewhere/file')).not.toEqual([]);
    expect(outsideReferences('test/lifecycle/start.test.ts', `resolve(__dirname, '../..')`)).toEqual([]);
    expect(outsideReferences('src/a/b.ts', `import { x } from '../../src/c';`)).toEqual([]);
    expect(outsideReferences('src/cli/print-schema.ts', `resolve(__dirname, '../../..')`)).toEqual([]); // from dist/src/cli
    expect(outsideReferences('src/cli/print-schema.ts', `resolve(__dirname, '../../../..')`)).not.toEqual([]);
  });

  it('no file under src/, test/, bench/ or .ci/ refers to a path above the repository', () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(50);
    const offending = files
            // This file's samples are paths above the repository on purpose.
      .filter((f) => f !== 'test/meta/self-contained.test.ts')
      .flatMap((f) => outsideReferences(f, readFileSync(resolve(root, f), 'utf8')).map((why) => `${f}: ${why}`));
    expect(offending).toEqual([]);
  });
});
