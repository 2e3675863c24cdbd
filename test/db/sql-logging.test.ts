// Logs never carry the values of SQL statements (billing contacts, emails): the ORM's statement
// log shows placeholders, and a database error is logged without the statement knex puts in
// front of PostgreSQL's message and without PostgreSQL's row detail.
import { MikroORM } from '@mikro-orm/postgresql';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ormOptions } from '../../src/db/orm';
import { createLogger } from '../../src/logger';

/** A logger at `level` whose JSON lines are collected. */
function capture(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger(level, stream), text: () => lines.join('') };
}

const SECRET = 'billing-s3cret@example.test';
let orm: MikroORM | undefined;
const previous = process.env.SQL_DEBUG;
afterEach(async () => {
  await orm?.close();
  orm = undefined;
  if (previous === undefined) delete process.env.SQL_DEBUG;
  else process.env.SQL_DEBUG = previous;
});

describe('SQL in the logs', () => {
  it('SQL_DEBUG logs each statement with placeholders, never the values bound to it', async () => {
    process.env.SQL_DEBUG = '1';
    const { log, text } = capture('debug');
    orm = await MikroORM.init(await ormOptions(inject('databaseUrl'), { poolMax: 1, logger: log }));
    await orm.em.fork().execute('select ?::text as contact', [SECRET]);
    expect(text()).toMatch(/select \$1::text as contact/);
    expect(text()).not.toContain(SECRET);
  });

  it('a database error is logged with its code and constraint, without the statement or the row', async () => {
    orm = await MikroORM.init(await ormOptions(inject('databaseUrl'), { poolMax: 1 }));
    const upper = SECRET.toUpperCase(); // refused by app_user_email_check: nothing is written
    const error = await orm.em
      .fork()
      .execute('insert into app_user (id, email) values (gen_random_uuid(), ?)', [upper])
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain(upper); // what the ORM hands over holds the value
    const { log, text } = capture('error');
    log.error({ err: error }, 'unexpected error');
    const line = JSON.parse(text()) as { err: Record<string, unknown> };
    expect(text()).not.toContain(upper);
    expect(line.err).toMatchObject({ code: '23514', constraint: 'app_user_email_check', table: 'app_user' });
    expect(line.err.message).toBe('new row for relation "app_user" violates check constraint "app_user_email_check"');
  });
});
