import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderPermissionsMarkdown } from '../governance';
import { printGatewaySchema } from '../graphql/schema';

/**
 * Writes the generated artifacts (schema.graphql, docs/permissions.md), or with --check fails
 * when a committed one differs from what the code generates.
 */
async function main(): Promise<void> {
  const root = resolve(__dirname, '../../..');
  const artifacts = [
    { file: resolve(root, 'schema.graphql'), content: await printGatewaySchema() },
    { file: resolve(root, 'docs/permissions.md'), content: renderPermissionsMarkdown() },
  ];
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, content } of artifacts) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = '';
    }
    if (current === content) continue;
    if (check) {
      console.error(`${file} is stale: run npm run schema:print and commit the result`);
      stale++;
    } else {
      writeFileSync(file, content);
      console.log(`wrote ${file}`);
    }
  }
  if (stale > 0) process.exit(1);
  if (check) console.log('schema.graphql and docs/permissions.md are up to date');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
