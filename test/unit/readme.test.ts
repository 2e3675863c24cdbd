import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventKind } from '../../src/modules/event/event.entity';
import { PAYLOAD_FIELDS } from '../../src/modules/event/event.payloads';

const root = resolve(__dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

describe('README', () => {
  it('shows the subscription snippet that npm test compiles (examples/subscribe/index.ts)', () => {
    const snippet = readFileSync(resolve(root, 'examples/subscribe/index.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + snippet + '```');
  });

  it('lists every event kind with its payload type and fields', () => {
    for (const kind of Object.values(EventKind)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${kind}\` |`));
      expect(row, kind).toBeDefined();
      for (const field of Object.keys(PAYLOAD_FIELDS[kind])) expect(row, `${kind}.${field}`).toMatch(new RegExp(`\\b${field}: `));
    }
  });

  it('documents every new setting', () => {
    for (const name of ['CORS_ORIGINS', 'EXPLORER']) expect(readme).toContain(`| \`${name}\` |`);
  });
});
