// Reads the gateway's /metrics in Prometheus text format, for asserting exact deltas:
//
//   const before = await scrape(gw);
//   ...                                   // the scripted session
//   const after = await scrape(gw);
//   expect(delta(before, after, 'gateway_graphql_operations_total', { code: 'FORBIDDEN' })).toBe(1);
import type { TestGateway } from './gateway';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format (one sample per line; comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a metric line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `labels` (0 when none). */
export function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

export function delta(before: Sample[], after: Sample[], name: string, labels: Record<string, string> = {}): number {
  return value(after, name, labels) - value(before, name, labels);
}

/** Scrapes the gateway's /metrics on its main port (or `url`). */
export async function scrape(gw: TestGateway, url = `http://127.0.0.1:${gw.app.gateway.port}/metrics`): Promise<Sample[]> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  if (!response.headers.get('content-type')?.startsWith('text/plain')) throw new Error('/metrics is not Prometheus text');
  return parseMetrics(await response.text());
}
