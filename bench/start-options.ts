import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The node options `npm start` gives the gateway (e.g. the young generation's size), so that benchmarks start it the same way. */
export function startOptions(root: string): string[] {
  const start = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).scripts.start as string;
  return start.split(/\s+/).slice(1, -1);
}
