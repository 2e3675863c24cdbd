// A pool whose every connection is busy makes an operation wait, then gives up with node-postgres's
// own error: that is the database being unable to take the operation now (SERVICE_UNAVAILABLE,
// retry later), not a fault of the gateway (INTERNAL_SERVER_ERROR).
import { GraphQLError } from 'graphql';
import { Pool } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { formatError, isDatabaseUnavailable } from '../../src/graphql/errors';

describe('a pool with no free connection', () => {
  it('refuses with SERVICE_UNAVAILABLE once its wait for a connection times out', async () => {
    // The bound covers connecting too: long enough for the first connection on a loaded machine.
    const pool = new Pool({ connectionString: inject('databaseUrl'), max: 1, connectionTimeoutMillis: 3_000 });
    const held = await pool.connect();
    try {
      const error = await pool.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(error)).toBe(true);
      const wrapped = new GraphQLError('unexpected', { originalError: error as Error, path: ['me'] });
      expect(formatError({ message: wrapped.message, path: ['me'] }, wrapped, true)).toMatchObject({
        path: ['me'],
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    } finally {
      held.release();
      await pool.end();
    }
  });
});
