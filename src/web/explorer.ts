import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config';
import { developmentToken } from './dev-token';

const FIRST_QUERY = `# The development token is in the Headers tab; it also signs subscriptions.
query Me {
  me { id email accountRole organization { id name } }
}

subscription OrganizationEvents {
  organizationEvents { sequence kind subjectType subjectId createdAt }
}
`;

/** Where `npm run build` puts the bundle: next to the compiled server, or under dist/ when run from source. */
function bundleFolder(): string | null {
  for (const candidate of [resolve(__dirname, '../../explorer'), resolve(__dirname, '../../dist/explorer')]) {
    if (existsSync(resolve(candidate, 'main.js'))) return candidate;
  }
  return null;
}

function page(config: { endpoint: string; token: string | null; initialQuery: string }): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Explorer · Consortium governance gateway</title>
<link rel="stylesheet" href="/explorer/assets/main.css">
<style>html,body,#graphiql{height:100%;margin:0}</style>
</head>
<body>
<div id="graphiql">Loading the explorer…</div>
<script id="explorer-config" type="application/json">${json}</script>
<script type="module" src="/explorer/assets/main.js"></script>
</body>
</html>`;
}

/**
 * GraphiQL served from the gateway's own files (no CDN), for closed networks: queries over HTTP,
 * subscriptions over graphql-ws, and in development a fresh development token in the headers.
 */
export function explorerRouter(config: Config): Router {
  const router = Router();
  const folder = bundleFolder();
  router.use((_req, res, next) => {
    // Only this host: the page must work, and be seen to work, without any other one.
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; connect-src 'self' ws: wss:; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:",
    );
    next();
  });
  if (folder) router.use('/assets', express.static(folder, { index: false, maxAge: '1h' }));
  router.get('/', async (_req, res) => {
    if (!folder) {
      res.status(503).type('text/plain').send('The explorer bundle is missing: run `npm run build`.');
      return;
    }
    const token = await developmentToken(config);
    res.type('html').send(page({ endpoint: '/graphql', token, initialQuery: FIRST_QUERY }));
  });
  return router;
}
