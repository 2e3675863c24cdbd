import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../errors';
import { User } from '../modules/user/user.entity';
import type { Identity } from './jwt';

/**
 * The user behind a verified identity, provisioned on first sight: an existing row for the
 * token's subject, else an invitation by email (claimed now), else a new user with no organization.
 */
export async function loadPrincipal(em: EntityManager, identity: Identity): Promise<User> {
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
