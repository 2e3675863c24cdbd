import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlReader } from '../db/reader';
import { unauthenticated } from '../errors';
import { Organization } from '../modules/organization/organization.entity';
import { deliverInvitationsByEmail } from '../modules/membership/invitation.service';
import { User } from '../modules/user/user.entity';
import { RIGHTS_WITH_PRINCIPAL, type PreloadedRights, type RightsSource } from './authz';
import type { Identity } from './jwt';

/**
 * The user behind a verified identity, provisioned on first sight: an existing row for the
 * token's subject, else an invitation by email (claimed now), else a new user with no organization.
 */
export async function loadPrincipal(
  em: EntityManager,
  reader: SqlReader,
  identity: Identity,
  rights: RightsSource = RIGHTS_WITH_PRINCIPAL,
): Promise<Principal> {
  const known = await knownUser(em, reader, identity.subject, rights);
  // Only an explicit "no" counts as unverified (see Identity.emailVerified).
  const verified = identity.emailVerified !== false;
  if (known) {
    // The provider may verify the address later (or say it no longer vouches for it): the latest token counts.
    if (known.user.emailVerified !== verified) {
      const { user } = known;
      await em.transactional(async (tem) => {
        await tem.nativeUpdate(User, { id: user.id }, { emailVerified: verified });
        // Now verified in an organization: invitations that waited for the address reach it (§8.1).
        if (verified && user.organization) await deliverInvitationsByEmail(tem, user.email, user.organization.id);
      });
      user.emailVerified = verified;
    }
    return known;
  }
  return { user: await provision(em, identity, verified), rights: null };
}

/** First sight of a subject: claim an invitation by email, or create the user. */
async function provision(em: EntityManager, identity: Identity, verified: boolean): Promise<User> {
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
          if (done === 1 && byEmail.organization) await deliverInvitationsByEmail(tem, byEmail.email, byEmail.organization.id);
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

/** The ORM's driver leaves timestamps as text; entities hold dates. */
function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/** The user behind an identity, and the rights read in the same statement when it was known. */
export interface Principal {
  user: User;
  rights: PreloadedRights | null;
}

/**
 * The hot path of every request: the user of a known subject, their organization, and what
 * authorization will ask next — the organization's memberships in consortia that are not deleted
 * and the user's network roles — in one statement on the read path. The user and organization
 * are made managed entities with `em.merge` (no further query). The ORM's own findOne with
 * populate, then two more statements for the rights, cost several times this one, on every request.
 */
function knownUserStatement(rights: RightsSource): string {
  const columns = rights.principalColumns('u.organization_id', 'u.id');
  return `
  select u.id, u.subject, u.email, u.name, u.email_verified, u.organization_id, u.account_role, u.created_at,
         o.name as o_name, o.plan as o_plan, o.licenses as o_licenses, o.billing_contact as o_billing_contact,
         o.payment_method as o_payment_method, o.created_at as o_created_at${columns ? `,\n         ${columns}` : ''}
    from app_user u left join organization o on o.id = u.organization_id
   where u.subject = $1`;
}

/** The statement per rights source, built once. */
const KNOWN_USER = new WeakMap<RightsSource, string>();

async function knownUser(em: EntityManager, reader: SqlReader, subject: string, rights: RightsSource): Promise<Principal | null> {
  let statement = KNOWN_USER.get(rights);
  if (!statement) KNOWN_USER.set(rights, (statement = knownUserStatement(rights)));
  const [row] = await reader.rows<Record<string, any>>(statement, [subject]);
  if (!row) return null;
  if (row.organization_id) {
    em.merge(Organization, {
      id: row.organization_id,
      name: row.o_name,
      plan: row.o_plan,
      licenses: row.o_licenses,
      billingContact: row.o_billing_contact,
      paymentMethod: row.o_payment_method,
      createdAt: asDate(row.o_created_at),
    });
  }
  const user = em.merge(User, {
    id: row.id,
    subject: row.subject,
    email: row.email,
    name: row.name,
    emailVerified: row.email_verified,
    organization: row.organization_id,
    accountRole: row.account_role,
    createdAt: asDate(row.created_at),
  });
  // Without the rights columns (a deferring source), Authz reads them at the first decision needing them.
  return { user, rights: 'memberships' in row ? { memberships: row.memberships, networkRoles: row.network_roles } : null };
}
