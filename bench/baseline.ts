import { createServer, type IncomingMessage } from 'node:http';
import { Pool } from 'pg';
import {
  ConsortiumRole,
  effectiveRole,
  explainAccountRoleConsortium,
  explainConsortium,
  MembershipStatus,
  type AccountRole,
  type NetworkRole,
  type Permission,
} from '../src/governance';

/**
 * The bare baseline: node:http and pg running the minimal SQL for the same responses as the
 * gateway. No framework, no token verification (the subject is read from the token unverified),
 * no authorization: what this machine can do at best. Every statement is a named prepared
 * statement, as on the gateway's read path (PostgreSQL plans it once per connection), and
 * bench/run.ts starts it with the gateway's node options.
 */
const pool = new Pool({ connectionString: process.argv[2], max: 10 });

function subjectOf(req: IncomingMessage): string {
  const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sub;
}

async function me(subject: string) {
  const { rows } = await pool.query({ name: 'me', text: 'select id, email, name, account_role from app_user where subject = $1', values: [subject] });
  const u = rows[0];
  return { me: { id: u.id, email: u.email, name: u.name, accountRole: u.account_role } };
}

async function meOrganization(subject: string) {
  const { rows } = await pool.query({
    name: 'me_organization',
    text: `select u.id, u.email, u.name, u.account_role, o.id as org_id, o.name as org_name, o.plan, o.licenses
             from app_user u left join organization o on o.id = u.organization_id where u.subject = $1`,
    values: [subject],
  });
  const u = rows[0];
  return {
    me: {
      id: u.id,
      email: u.email,
      name: u.name,
      accountRole: u.account_role,
      organization: u.org_id ? { id: u.org_id, name: u.org_name, plan: u.plan, licenses: u.licenses } : null,
    },
  };
}

async function consortium(id: string) {
  const [c, memberships, environments, compilations] = await Promise.all([
    pool.query({ name: 'consortium', text: 'select id, name, description from consortium where id = $1 and deleted_at is null', values: [id] }),
    pool.query({
      name: 'memberships',
      text: `select m.id, m.display_name, m.role, m.status, m.permissions, o.id as org_id, o.name as org_name,
              i.id as inv_id, i.display_name as inv_name
         from membership m join organization o on o.id = m.organization_id
         left join membership i on i.id = m.invited_by_id
        where m.consortium_id = $1 and m.status in ('ACTIVE', 'FROZEN') order by m.created_at, m.id limit 50`,
      values: [id],
    }),
    pool.query({
      name: 'environments',
      text: `select id, name, client, consensus, release, status from environment
        where consortium_id = $1 and status = 'LIVE' order by created_at, id limit 10`,
      values: [id],
    }),
    pool.query({
      name: 'compilations',
      text: `select id, name, version, status, compiler_version from compilation
        where consortium_id = $1 order by created_at, id limit 50`,
      values: [id],
    }),
  ]);
  const nodes = await pool.query({
    name: 'nodes',
    text: `select * from (
        select n.id, n.name, n.role, n.status, n.environment_id, m.id as m_id, m.display_name,
               row_number() over (partition by n.environment_id order by n.created_at, n.id) as rn
          from node n join membership m on m.id = n.membership_id
         where n.environment_id = any($1)) paged
      where rn <= 20 order by rn`,
    values: [environments.rows.map((e) => e.id)],
  });
  const row = c.rows[0];
  return {
    consortium: {
      id: row.id,
      name: row.name,
      description: row.description,
      memberships: { nodes: memberships.rows.map((m) => ({
        id: m.id,
        displayName: m.display_name,
        role: m.role,
        status: m.status,
        permissions: m.permissions,
        organization: { id: m.org_id, name: m.org_name },
        invitedBy: m.inv_id ? { id: m.inv_id, displayName: m.inv_name } : null,
      })) },
      environments: { nodes: environments.rows.map((e) => ({
        id: e.id,
        name: e.name,
        client: e.client,
        consensus: e.consensus,
        release: e.release,
        status: e.status,
        nodes: { nodes: nodes.rows
          .filter((n) => n.environment_id === e.id)
          .map((n) => ({ id: n.id, name: n.name, role: n.role, status: n.status, membership: { id: n.m_id, displayName: n.display_name } })) },
      })) },
      compilations: {
        nodes: compilations.rows.map((k) => ({ id: k.id, name: k.name, version: k.version, status: k.status, compilerVersion: k.compiler_version })),
      },
    },
  };
}

async function myPermissions(subject: string, consortiumId: string) {
  const { rows } = await pool.query({
    name: 'my_permissions',
    text: `select u.account_role, m.id, m.role, m.status, m.permissions, nr.role as network_role
       from app_user u
       left join membership m on m.organization_id = u.organization_id and m.consortium_id = $2 and m.status <> 'LEFT'
       left join network_role nr on nr.user_id = u.id and nr.consortium_id = $2
      where u.subject = $1 limit 1`,
    values: [subject, consortiumId],
  });
  const r = rows[0];
  const actor = {
    membership: r.id
      ? { id: r.id, role: r.role as ConsortiumRole, status: r.status as MembershipStatus, permissions: r.permissions as Permission[] }
      : null,
    effectiveRole: effectiveRole(r.account_role as AccountRole, (r.network_role as NetworkRole) ?? null),
  };
  return {
    // Then the actions decided by account role alone (§8.2 security editing), as the gateway lists
    // them; a frozen organization's memberships are all FROZEN (§8.1).
    myPermissions: [
      ...explainConsortium(actor),
      ...explainAccountRoleConsortium({ membership: actor.membership, accountRole: r.account_role as AccountRole, organizationFrozen: r.status === 'FROZEN' }),
    ].map((e) => ({
      action: e.action,
      allowed: e.decision.allowed,
      reason: e.decision.allowed ? null : e.decision.reason,
    })),
  };
}

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', async () => {
    try {
      const { query, variables } = JSON.parse(body);
      const subject = subjectOf(req);
      const data = query.includes('myPermissions')
        ? await myPermissions(subject, variables.id)
        : query.includes('consortium(')
          ? await consortium(variables.id)
          : query.includes('organization')
            ? await meOrganization(subject)
            : await me(subject);
      const payload = JSON.stringify({ data });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
    }
  });
}).listen(Number(process.argv[3]), '127.0.0.1', () => console.log('baseline ready'));
