import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registry } from '../../src/observability/metrics';

// No container engine runs on the build machines: the monitoring profile is checked by its
// shape, and the dashboard's queries against the metrics the gateway really exports.
const root = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');
const compose = parse(read('docker-compose.yml'));
const prometheus = parse(read('deploy/monitoring/prometheus.yml'));
const datasources = parse(read('deploy/monitoring/grafana/provisioning/datasources/prometheus.yml'));
const providers = parse(read('deploy/monitoring/grafana/provisioning/dashboards/dashboards.yml'));
const dashboard = JSON.parse(read('deploy/monitoring/grafana/dashboards/gateway.json'));

interface Target {
  expr: string;
  datasource: { uid: string };
}
const targets: Target[] = dashboard.panels.flatMap((p: { targets: Target[] }) => p.targets);

/** The host side of each bind mount of a service, and where it lands in the container. */
function mounts(service: string): [string, string][] {
  return (compose.services[service].volumes as string[])
    .filter((v) => v.startsWith('./'))
    .map((v) => v.split(':').slice(0, 2) as [string, string]);
}

describe('docker compose --profile monitoring', () => {
  it('adds Prometheus and Grafana only under the monitoring profile', () => {
    expect(compose.services.prometheus.profiles).toEqual(['monitoring']);
    expect(compose.services.grafana.profiles).toEqual(['monitoring']);
    expect(compose.services.gateway.profiles).toBeUndefined();
  });

  it('mounts files that exist in the repository', () => {
    for (const service of ['prometheus', 'grafana']) {
      for (const [host] of mounts(service)) expect(existsSync(resolve(root, host)), host).toBe(true);
    }
  });

  it('has Prometheus scrape the gateway’s /metrics on the port it listens on', () => {
    const [{ target }] = mounts('prometheus').filter(([, inside]) => inside === '/etc/prometheus/prometheus.yml').map(([host]) => ({ target: host }));
    expect(target).toBe('./deploy/monitoring/prometheus.yml');
    const job = prometheus.scrape_configs.find((j: { job_name: string }) => j.job_name === 'governance-gateway');
    expect(job.metrics_path).toBe('/metrics');
    const port = compose.services.gateway.environment.PORT;
    expect(job.static_configs[0].targets).toEqual([`gateway:${port}`]);
    expect(compose.services.gateway.environment.METRICS_PORT).toBeUndefined();
  });

  it('provisions Grafana with the Prometheus data source and the dashboard folder it mounts', () => {
    const [source] = datasources.datasources;
    expect(source).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const dashboardsMount = mounts('grafana').find(([host]) => host === './deploy/monitoring/grafana/dashboards');
    expect(providers.providers[0].options.path).toBe(dashboardsMount![1]);
    expect(new Set(targets.map((t) => t.datasource.uid))).toEqual(new Set([source.uid]));
  });
});

describe('the Grafana dashboard', () => {
  it('queries only metrics the gateway exports, and covers each family of them', async () => {
    const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set<string>();
    for (const { expr } of targets) {
      for (const [name] of expr.matchAll(/\b(?:gateway|process|nodejs)_[a-z0-9_]+/g)) {
        const base = name.replace(/_(bucket|sum|count)$/, '');
        expect(exported.has(name) || exported.has(base), `${name} in ${expr}`).toBe(true);
        used.add(exported.has(name) ? name : base);
      }
    }
    for (const name of exported) {
      if (name.startsWith('gateway_')) expect(used, name).toContain(name);
    }
  });

  it('is a provisionable dashboard: a fixed uid, unique panel ids, a query per panel', () => {
    expect(dashboard.uid).toBe('governance-gateway');
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
  });
});
