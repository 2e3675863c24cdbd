import WebSocket from 'ws'; // Node 20 has no global WebSocket; browsers and Node 22+ need no import
import { ConsortiumEventsDocument, createGatewayClient } from '../../client/src';

const client = createGatewayClient({
  url: 'http://localhost:4000/graphql',
  getToken: async () => process.env.TOKEN ?? null, // called again on every reconnection
  webSocketImpl: WebSocket,
});

const subscription = client.subscribeResumable(
  ConsortiumEventsDocument,
  { consortiumId: process.argv[2]!, after: null }, // or the last sequence you stored
  {
    next: ({ consortiumEvents: e }) => {
      console.log(e.sequence, e.kind, e.payload.__typename === 'InvitationSentPayload' ? e.payload.inviteeOrganizationName : '');
    },
    sequenceOf: ({ consortiumEvents: e }) => e.sequence, // resumes after it, on every reconnection
    onRetry: ({ reason, delayMs }) => console.error(`${reason}: retrying in ${delayMs} ms`),
  },
);
subscription.done.catch((error: unknown) => {
  console.error(error); // a refused token (4403), or an error the gateway would answer again
  process.exit(1);
});
