import type { Node } from './node.entity';

/**
 * The gateway governs chains; it does not run them. Endpoints are therefore derived, not
 * discovered: a deterministic host per node id under NODE_DOMAIN, where the operator's node
 * provisioning publishes the node. The same id always yields the same URLs.
 */
export const NODE_DOMAIN = 'nodes.consortium.local';
const RPC_PORT = 8545;
const WS_PORT = 8546;

/** The JSON-RPC (HTTPS) and WebSocket URLs of a node, from its id. */
export function nodeEndpoints(node: Pick<Node, 'id'>): { rpcUrl: string; wsUrl: string } {
  // 16 hex digits (64 bits) of the uuid: short enough for a DNS label, collisions negligible.
  const host = `${node.id.replace(/-/g, '').slice(0, 16).toLowerCase()}.${NODE_DOMAIN}`;
  return { rpcUrl: `https://${host}:${RPC_PORT}`, wsUrl: `wss://${host}:${WS_PORT}` };
}
