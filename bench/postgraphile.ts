import { createServer } from 'node:http';
import { Pool } from 'pg';
import { postgraphile } from 'postgraphile';
import { listOfCodec, TYPES, withPgClient, type PgExecutor } from 'postgraphile/@dataplan/pg';
import { makePgService } from 'postgraphile/adaptors/pg';
import { object } from 'postgraphile/grafast';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { PgLazyJWTPreset } from 'postgraphile/presets/lazy-jwt';
import { addPgTableCondition, extendSchema, gql } from 'postgraphile/utils';
import { effectiveRole, explainAccountRoleConsortium, explainConsortium, type AccountRole, type ConsortiumRole, type MembershipStatus, type NetworkRole, type Permission } from '../src/governance';

/**
 * The peer: PostGraphile 5 over the benchmark's database, the server a user would pick instead
 * of the gateway. It runs in its own process, started by bench/run.ts as
 *
 *   node --require core-js/actual/promise/with-resolvers [gateway node options] dist/bench/postgraphile.js URL PORT JWT_SECRET
 *
 * (PostGraphile 5 wants Node 22; on Node 20 it needs `Promise.withResolvers` polyfilled).
 *
 * What it adds to the plain schema, and why:
 * - the `bench_pgl` schema (created by bench/peer-sql.ts) holds `me()`, the caller's user from the
 *   verified token's `sub` claim, which PostGraphile's JWT preset puts into `jwt.claims.sub`;
 * - a `statusIn` condition on memberships: PostGraphile conditions are equalities only, and the
 *   gateway lists ACTIVE and FROZEN memberships;
 * - `myPermissions(consortiumId)`: the caller's rights in one statement (the same one the
 *   baseline sends) and the project's policy core for the 24 decisions, since the decisions are
 *   code, not data.
 * The Node interface is switched off (the gateway has none), conditions and orderings work on
 * columns without an index (created_at, status), and tables have `…List` fields
 * beside their connections, since the gateway answers plain lists. PostGraphile still names a
 * table's `id` column `rowId` and the function `benchPglMe`; the benchmark's queries alias them.
 */
const [databaseUrl, port, jwtSecret] = process.argv.slice(2);

const MembershipStatusIn = addPgTableCondition(
  { schemaName: 'public', tableName: 'membership' },
  'statusIn',
  (build) => ({ type: new build.graphql.GraphQLList(new build.graphql.GraphQLNonNull(build.graphql.GraphQLString)) }),
  (value, { sql, sqlTableAlias, sqlValueWithCodec }) =>
    value == null ? null : sql`${sqlTableAlias}.status = any(${sqlValueWithCodec(value, listOfCodec(TYPES.text))})`,
);

const RIGHTS = `
  select u.account_role, m.id, m.role, m.status, m.permissions, nr.role as network_role
    from app_user u
    left join membership m on m.organization_id = u.organization_id and m.consortium_id = $1 and m.status <> 'LEFT'
    left join network_role nr on nr.user_id = u.id and nr.consortium_id = $1
   where u.subject = current_setting('jwt.claims.sub', true)
   limit 1`;

interface RightsRow {
  account_role: AccountRole | null;
  id: string | null;
  role: ConsortiumRole | null;
  status: MembershipStatus | null;
  permissions: Permission[] | null;
  network_role: NetworkRole | null;
}

const MyPermissions = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main as PgExecutor;
  return {
    typeDefs: gql`
      type PermissionDecision {
        action: String!
        allowed: Boolean!
        reason: String
      }
      extend type Query {
        myPermissions(consortiumId: UUID!): [PermissionDecision!]
      }
    `,
    objects: {
      Query: {
        plans: {
          myPermissions(_$root, fieldArgs) {
            return withPgClient(executor, object({ consortiumId: fieldArgs.getRaw('consortiumId') }), async (client, { consortiumId }) => {
              const { rows } = await client.query<RightsRow>({ text: RIGHTS, values: [consortiumId] });
              const r = rows[0];
              if (!r) return null;
              const actor = {
                membership: r.id ? { id: r.id, role: r.role!, status: r.status!, permissions: r.permissions ?? [] } : null,
                effectiveRole: effectiveRole(r.account_role as AccountRole, r.network_role ?? null),
              };
              // Then the actions decided by account role alone (§8.2 security editing), as the gateway
              // lists them; a frozen organization's memberships are all FROZEN (§8.1).
              const byAccountRole = explainAccountRoleConsortium({
                membership: actor.membership,
                accountRole: r.account_role as AccountRole,
                organizationFrozen: r.status === 'FROZEN',
              });
              return [...explainConsortium(actor), ...byAccountRole].map((e) => ({
                action: e.action,
                allowed: e.decision.allowed,
                reason: e.decision.allowed ? null : e.decision.reason,
              }));
            });
          },
        },
      },
    },
  };
});

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset, PgLazyJWTPreset],
  plugins: [MembershipStatusIn, MyPermissions],
  // No Node interface (the gateway has none); ordering and conditions on columns without an index too.
  disablePlugins: ['NodePlugin', 'PgIndexBehaviorsPlugin'],
  // `…List` fields beside the connections: the gateway answers plain lists
  pgServices: [makePgService({ pool: new Pool({ connectionString: databaseUrl, max: 10 }), schemas: ['public', 'bench_pgl'] })],
  schema: { pgJwtSecret: jwtSecret, defaultBehavior: '+list' },
  grafserv: { port: Number(port), graphiql: false, pgJwtVerifyOptions: { audience: undefined } },
  grafast: { explain: false },
};

async function main(): Promise<void> {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.once('listening', () => console.log('postgraphile ready'));
  await serv.addTo(server);
  server.listen(Number(port), '127.0.0.1');
  const stop = () => {
    server.close();
    void Promise.resolve(pgl.release()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
