import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const dataDir = mkdtempSync(join(tmpdir(), 'gateway-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('observability configuration', () => {
  it('serves metrics on the main port and exports no traces by default', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).observability).toEqual({ metricsPort: null, otlpEndpoint: null, serviceName: 'governance-gateway' });
  });

  it('reads METRICS_PORT, OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME', () => {
    const c = loadConfig({ DATA_DIR: dataDir, METRICS_PORT: '9464', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'gw-eu' });
    expect(c.observability).toEqual({ metricsPort: 9464, otlpEndpoint: 'http://collector:4318', serviceName: 'gw-eu' });
  });

  it('names the variable of an invalid value', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, METRICS_PORT: 'ninety' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ DATA_DIR: dataDir, METRICS_PORT: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir, OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadConfig({ DATA_DIR: dataDir, OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' })).toThrow(ConfigError);
  });
});
