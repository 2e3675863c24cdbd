import { UniqueConstraintViolationException, type EntityData, type MetadataStorage } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlReader } from '../db/reader';
import { unauthenticated } from '../errors';
import { rowReader, type RowReader } from '../graphql/loaders';
import { Organization } from '../modules/organization/organization.entity';
import { deliverInvitationsByEmail } from '../modules/membership/invitation.service';
import { User } from '../modules/user/user.entity';
import type { AccountRole } from '../governance';
import { authUser } from './acting';
import { RIGHTS_WITH_PRINCIPAL, type AuthUser, type PrincipalRights, type RightsSource } from './authz';
import type { Identity } from './jwt';

const SUSPENDED =
  'This service account is suspended: its tokens are refused until an OWNER or ADMIN of its organization reactivates it';
const UNREGISTERED =
  'The token carries no `email` claim and its subject is not a registered service account: an OWNER or ADMIN of the organization registers the client id first (registerServiceAccount)';

/**
 * Whether a machine's credential is refused as a whole (checked when a WebSocket connects, so a
 * partner program learns it at once and stops): a token without `email` whose subject is no
 * registered service account, or the token of a suspended one. Null when it is not refused here.
 */
export async function serviceAccountRefusal(reader: SqlReader, identity: Identity): Promise<string | null> {
  const [row] = await reader.rows<{ status: string }>('select status from service_account where client_id = $1', [identity.subject]);
  if (row) return row.status === 'ACTIVE' ? null : SUSPENDED;
  return identity.email === null ? UNREGISTERED : null;
}

/**
 * The user behind a verified identity, provisioned on first sight: an existing row for the
 * token's subject, else an invitation by email (claimed now), else a new user with no organization.
 *
 * A registered service account's subject is its user, whatever the token says of an email: it
 * is accepted only while ACTIVE and never claims anything sent to an address. A token without
 * `email` (a machine's) is accepted for a registered service account only.
 */
export async function loadPrincipal(
  /** The operation's entity manager, forked on first use: only a first sign-in or a change of the row needs it. */
  session: { readonly em: EntityManager },
  metadata: MetadataStorage,
  reader: SqlReader,
  identity: Identity,
  rights: RightsSource = RIGHTS_WITH_PRINCIPAL,
  /** The consortium a source reading the rights in one consortium only reads them in. */
  consortiumId?: string,
): Promise<Principal> {
  const known = await knownUser(metadata, reader, identity.subject, rights, consortiumId);
  if (known?.serviceAccountStatus) {
    if (known.serviceAccountStatus !== 'ACTIVE') {
      throw unauthenticated(SUSPENDED);
    }
    return known.principal();
  }
  if (identity.email === null) {
    throw unauthenticated(UNREGISTERED);
  }
  // Only an explicit "no" counts as unverified (see Identity.emailVerified).
  const verified = identity.emailVerified !== false;
  if (known) {
    // The provider may verify the address later (or say it no longer vouches for it): the latest token counts.
    const { user } = known;
    if (Boolean(user.emailVerified) !== verified) {
      const id = user.id as string;
      const organizationId = (user.organization as string | null | undefined) ?? null;
      const email = (user.email as string | null | undefined) ?? null;
      await session.em.transactional(async (tem) => {
        await tem.nativeUpdate(User, { id }, { emailVerified: verified });
        // Now verified in an organization: invitations that waited for the address reach it (§8.1).
        if (verified && organizationId && email) await deliverInvitationsByEmail(tem, email, organizationId, id);
      });
      user.emailVerified = verified;
    }
    return known.principal();
  }
  const created = await provision(session.em, { ...identity, email: identity.email }, verified);
  return {
    user: authUser(created.id, created.organization?.id, created.accountRole),
    rights: null,
    entity: (target) => target.merge(created),
    snapshot: () => null,
  };
}

/** First sight of a subject: claim an invitation by email, or create the user. */
async function provision(em: EntityManager, identity: Identity & { email: string }, verified: boolean): Promise<User> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const bySubject = await em.findOne(User, { subject: identity.subject }, { populate: ['organization'] });
    if (bySubject) return bySubject;
    const byEmail = await em.findOne(User, { email: identity.email }, { populate: ['organization'] });
    if (byEmail && byEmail.subject && byEmail.subject !== identity.subject) {
      throw unauthenticated('This email address belongs to another identity');
    }
    // An invitation goes to whoever owns the address: a provider that says it did not verify it
    // vouches for nothing, so the invitation waits for a token with a verified address.
    if (byEmail && !verified) {
      throw unauthenticated('The token\'s email address is not verified: the invitation to it cannot be claimed');
    }
    try {
      if (byEmail) {
        // Claim the invitation: only a row still without a subject may be claimed.
        const claimed = await em.transactional(async (tem) => {
          const done = await tem.nativeUpdate(
            User,
            { id: byEmail.id, subject: null },
            { subject: identity.subject, name: byEmail.name ?? identity.name, emailVerified: true },
          );
          // Joining the organization that invited them: invitations sent to the address follow (§8.1).
          if (done === 1 && byEmail.organization) await deliverInvitationsByEmail(tem, identity.email, byEmail.organization.id, byEmail.id);
          return done;
        });
        if (claimed === 1) {
          byEmail.subject = identity.subject;
          byEmail.emailVerified = true;
          byEmail.name ??= identity.name;
          return byEmail;
        }
      } else {
        const user = em.create(User, {
          subject: identity.subject,
          email: identity.email,
          name: identity.name,
          emailVerified: verified,
        });
        await em.persistAndFlush(user);
        return user;
      }
    } catch (error) {
      // Two first requests of one user raced: the other one created the row; read it again.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
    em.clear();
  }
  throw unauthenticated('The user could not be provisioned; try again');
}

/** The user behind an identity, and the rights read in the same statement when it was known. */
export interface Principal {
  /** What authorization needs of the user: plain data, tied to no entity manager. */
  user: AuthUser;
  rights: PrincipalRights | null;
  /**
   * The user as an entity of `em`, with its organization, made from the row already read (no
   * statement). Only an operation that answers with the user or changes it asks for it: merging
   * entities into every operation's em cost most of the principal's CPU.
   */
  entity(em: EntityManager): User;
  /**
   * The user and its organization as read-only snapshots (see Loaders), made from the row already
   * read: what a query answering with the caller (`me`) needs, without merging entities into an em.
   * Null when the principal was not read as a row (provisioned by this request).
   */
  snapshot(): { user: User; organization: Organization | null } | null;
}

/**
 * The hot path of every request: the user of a known subject, their organization, and what
 * authorization will ask next — the organization's memberships in consortia that are not deleted
 * and the user's network roles — in one statement on the read path. The user and organization
 * are made managed entities with `em.merge` (no further query). The ORM's own findOne with
 * populate, then two more statements for the rights, cost several times this one, on every request.
 * Both rows' columns come from the entity metadata (rowReader, as the loaders read rows), so a
 * new column of either arrives here without a change to this file.
 */
interface KnownUserStatement {
  sql: string;
  user: RowReader;
  organization: RowReader;
  /** Whether the rights are read in the statement (else at the first decision needing them). */
  withRights: boolean;
}

/** The statement per entity metadata and rights source, built once. */
const statements = new WeakMap<object, WeakMap<RightsSource, KnownUserStatement>>();

function knownUserStatement(metadata: MetadataStorage, rights: RightsSource): KnownUserStatement {
  let bySource = statements.get(metadata);
  if (!bySource) statements.set(metadata, (bySource = new WeakMap()));
  let statement = bySource.get(rights);
  if (statement) return statement;
  const user = rowReader(metadata.get(User.name));
  const organization = rowReader(metadata.get(Organization.name));
  const organizationOf = `u.${user.column('organization')}`;
  const rightsColumns = rights.principalColumns(organizationOf, `u.${user.column('id')}`);
  statement = {
    user,
    organization,
    withRights: rightsColumns !== null,
    sql: `
  select ${user.select('u')}, ${organization.select('o')},
         (select sa.status from service_account sa where sa.user_id = u.${user.column('id')}) as sa_status${rightsColumns ? `,\n         ${rightsColumns}` : ''}
    from ${user.table} u left join ${organization.table} o on o.${organization.column('id')} = ${organizationOf}
   where u.${user.column('subject')} = $1`,
  };
  bySource.set(rights, statement);
  return statement;
}

/** A known user as read (its row's data), and the status of the service account it is (null for a person). */
interface KnownUser {
  user: Record<string, unknown>;
  serviceAccountStatus: string | null;
  principal(): Principal;
}

async function knownUser(metadata: MetadataStorage, reader: SqlReader, subject: string, rights: RightsSource, consortiumId?: string): Promise<KnownUser | null> {
  if (rights.oneConsortium && consortiumId === undefined) throw new Error('This rights source reads the rights in one consortium: name it');
  const statement = knownUserStatement(metadata, rights);
  const [row] = await reader.arrays(statement.sql, rights.oneConsortium ? [subject, consortiumId] : [subject]);
  if (!row) return null;
  const userData = statement.user.data(row, 0) as Record<string, unknown>;
  const organizationData = userData.organization != null ? statement.organization.data(row, statement.user.width) : null;
  const after = statement.user.width + statement.organization.width;
  // Without the rights columns (a deferring source), Authz reads them at the first decision needing them.
  const preloaded: PrincipalRights | null = statement.withRights
    ? { memberships: row[after + 1] as PrincipalRights['memberships'], networkRoles: row[after + 2] as PrincipalRights['networkRoles'] }
    : null;
  if (preloaded && rights.oneConsortium) {
    preloaded.consortiumId = consortiumId;
    preloaded.needsVote = row[after + 3] as PrincipalRights['needsVote'];
  }
  return {
    user: userData,
    serviceAccountStatus: (row[after] as string | null) ?? null,
    principal: () => {
      return {
        user: authUser(userData.id as string, userData.organization as string | null | undefined, userData.accountRole as AccountRole | null | undefined),
        rights: preloaded,
        entity: (target) => {
          if (organizationData) target.merge(Organization, organizationData as EntityData<Organization>);
          return target.merge(User, userData as EntityData<User>);
        },
        snapshot: () => ({
          user: statement.user.snapshot(userData) as User,
          organization: organizationData ? (statement.organization.snapshot(organizationData) as Organization) : null,
        }),
      };
    },
  };
}
