import type { ClientBase } from 'pg';

/**
 * A pool's `onConnect`: session settings for every new connection, applied before its first
 * statement. A pool's own `options` would not do: node-postgres lets the `options` of the
 * connection string replace them, so a DATABASE_URL carrying `?options=…` (a statement timeout,
 * a search path) would silently drop them. A SET after connecting applies on top of both.
 */
export function sessionSettings(settings: Record<string, string>): (client: ClientBase) => Promise<void> {
  const text = Object.entries(settings)
    .map(([name, value]) => `set ${name} = ${value}`)
    .join('; ');
  return async (client) => {
    await client.query(text);
  };
}
