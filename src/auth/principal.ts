import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../errors';
import { Organization } from '../modules/organization/organization.entity';
import { User } from '../modules/user/user.entity';
import type { Identity } from './jwt';

/**
 * The user behind a verified identity, provisioned on first sight: an existing row for the
 * token's subject, else an invitation by email (claimed now), else a new user with no organization.
 */
export async function loadPrincipal(em: EntityManager, identity: Identity): Promise<User> {
  const known = await knownUser(em, identity.subject);
  if (known) return known;
  for (let attempt = 0; attempt < 3; attempt++) {
    const bySubject = await em.findOne(User, { subject: identity.subject }, { populate: ['organization'] });
    if (bySubject) return bySubject;
    const byEmail = await em.findOne(User, { email: identity.email }, { populate: ['organization'] });
    if (byEmail && byEmail.subject && byEmail.subject !== identity.subject) {
      throw unauthenticated('This email address belongs to another identity');
    }
    try {
      if (byEmail) {
        // Claim the invitation: only a row still without a subject may be claimed.
        const claimed = await em.nativeUpdate(
          User,
          { id: byEmail.id, subject: null },
          { subject: identity.subject, name: byEmail.name ?? identity.name },
        );
        if (claimed === 1) {
          byEmail.subject = identity.subject;
          byEmail.name ??= identity.name;
          return byEmail;
        }
      } else {
        const user = em.create(User, { subject: identity.subject, email: identity.email, name: identity.name });
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

/**
 * The hot path of every request: the user of a known subject and their organization in one
 * statement, made managed entities with `em.merge` (no further query). The ORM's own findOne
 * with populate costs several times the statement itself, on every request.
 */
async function knownUser(em: EntityManager, subject: string): Promise<User | null> {
  const [row] = await em.execute<Record<string, any>[]>(
    `select u.id, u.subject, u.email, u.name, u.organization_id, u.account_role, u.created_at,
            o.name as o_name, o.plan as o_plan, o.licenses as o_licenses, o.billing_contact as o_billing_contact,
            o.payment_method as o_payment_method, o.created_at as o_created_at
       from app_user u left join organization o on o.id = u.organization_id
      where u.subject = ?`,
    [subject],
  );
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
  return em.merge(User, {
    id: row.id,
    subject: row.subject,
    email: row.email,
    name: row.name,
    organization: row.organization_id,
    accountRole: row.account_role,
    createdAt: asDate(row.created_at),
  });
}
