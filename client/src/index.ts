// The consortium governance gateway's typed client: documents generated from schema.graphql by
// GraphQL Code Generator's client preset, and a small client for HTTP and graphql-ws.
export * from './client';
export * from './generated/graphql';
