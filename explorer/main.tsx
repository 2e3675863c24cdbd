// The offline explorer: GraphiQL bundled from the gateway's own node_modules (see build.mjs).
// Nothing here loads from another host: the editor's workers and fonts are files of this bundle.
import 'graphiql/style.css';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { createRoot } from 'react-dom/client';

interface ExplorerConfig {
  endpoint: string;
  token: string | null;
  initialQuery: string;
}

const base = new URL('./', import.meta.url).href;
(globalThis as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    const file = label === 'json' ? 'json.worker.js' : label === 'graphql' ? 'graphql.worker.js' : 'editor.worker.js';
    return new Worker(new URL(file, base));
  },
};

const config = JSON.parse(document.getElementById('explorer-config')!.textContent!) as ExplorerConfig;
const httpUrl = new URL(config.endpoint, window.location.href).href;
const wsUrl = httpUrl.replace(/^http/, 'ws');
const overHttp = createGraphiQLFetcher({ url: httpUrl });

// One graphql-ws connection per Authorization value, so the headers tab also applies to subscriptions.
const sockets = new Map<string, Client>();
function socket(authorization: string): Client {
  let client = sockets.get(authorization);
  if (!client) {
    client = createClient({ url: wsUrl, lazy: true, retryAttempts: 3, connectionParams: authorization ? { Authorization: authorization } : {} });
    sockets.set(authorization, client);
  }
  return client;
}

function isSubscription(query: string, operationName?: string | null): boolean {
  try {
    const ops = parse(query).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops[0];
    return op?.operation === 'subscription';
  } catch {
    return false;
  }
}

const fetcher: Fetcher = (params, opts) => {
  if (!isSubscription(params.query, params.operationName)) return overHttp(params, opts);
  const headers = (opts?.headers ?? {}) as Record<string, string>;
  const authorization = headers.Authorization ?? headers.authorization ?? '';
  return socket(authorization).iterate({
    query: params.query,
    variables: (params.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: params.operationName ?? undefined,
  });
};

const initialHeaders = config.token ? JSON.stringify({ Authorization: `Bearer ${config.token}` }, null, 2) : '{}';

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL fetcher={fetcher} initialQuery={config.initialQuery} defaultQuery={config.initialQuery} initialHeaders={initialHeaders} defaultHeaders={initialHeaders} isHeadersEditorEnabled />,
);
