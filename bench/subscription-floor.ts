import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { jwtVerify } from 'jose';
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

/**
 * The floor of the subscription benchmark: a bare graphql-ws server with an in-memory pubsub,
 * driven by the same clients as the gateway (bench/subscriptions.ts). It verifies each
 * connection's token (HS256, as the gateway does) and nothing else: no database, no event log,
 * no authorization of events. `updateConsortium` publishes one event to the consortium's
 * subscribers. Started as
 *
 *   node [gateway node options] dist/bench/subscription-floor.js PORT JWT_SECRET
 */
const [port, jwtSecret] = process.argv.slice(2);
const key = new TextEncoder().encode(jwtSecret);

interface ConsortiumEvent {
  sequence: number;
  kind: string;
}

// One listener per subscriber on one event target: tens of thousands are expected, not a leak.
const eventTarget = new EventTarget();
setMaxListeners(0, eventTarget);
const pubSub = createPubSub<{ consortium: [consortiumId: string, event: ConsortiumEvent] }>({ eventTarget });
let sequence = 0;

const schema: GraphQLSchema = buildSchema(`
  type Query { ok: Boolean! }
  type Consortium { id: ID! name: String! }
  input UpdateConsortiumInput { name: String }
  type Mutation { updateConsortium(id: ID!, input: UpdateConsortiumInput!): Consortium! }
  type ConsortiumEvent { sequence: Float! kind: String! }
  type Subscription { consortiumEvents(consortiumId: ID!, after: Float): ConsortiumEvent! }
`);

const rootValue = {
  ok: () => true,
  updateConsortium: ({ id, input }: { id: string; input: { name?: string } }) => {
    pubSub.publish('consortium', id, { sequence: ++sequence, kind: 'CONSORTIUM_UPDATED' });
    return { id, name: input.name ?? '' };
  },
};

// The subscription field: an async iterator of the consortium's events, each event its own value.
const field = schema.getSubscriptionType()!.getFields().consortiumEvents;
field.subscribe = (_root, args: { consortiumId: string }) => pubSub.subscribe('consortium', args.consortiumId);
field.resolve = (event: ConsortiumEvent) => event;

const server = createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/readyz' || req.url === '/healthz')) {
    res.writeHead(200).end('ok');
    return;
  }
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', async () => {
    try {
      const { query, variables } = JSON.parse(body || '{}');
      const result = await graphql({ schema, source: query ?? '', variableValues: variables, rootValue });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] }));
    }
  });
});

const wss = new WebSocketServer({ server, path: '/graphql' });
useServer(
  {
    schema,
    onConnect: async (ctx) => {
      const header = String((ctx.connectionParams as { Authorization?: string } | undefined)?.Authorization ?? '');
      try {
        await jwtVerify(header.replace(/^Bearer /, ''), key, { algorithms: ['HS256'] });
        return true;
      } catch {
        return false;
      }
    },
  },
  wss,
);

server.listen(Number(port), '127.0.0.1', () => console.log('floor ready'));
process.once('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.close(() => process.exit(0));
});
