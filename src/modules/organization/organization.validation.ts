// Input checks of Layer A, shared by the organization and user services. Each returns the
// normalized value or throws BAD_USER_INPUT naming the field, before anything is written.
import { badInput } from '../../errors';
import { requireText } from '../../validation';

/** Longest organization name accepted. */
export const MAX_NAME_LENGTH = 200;
/** Licenses bought or released by one call. */
export const MAX_LICENSE_CHANGE = 10_000;
/** Licenses an organization may hold in total (far below the int column's limit). */
export const MAX_LICENSES = 1_000_000;

// Deliberately simple: one @, no spaces, a dot in the domain. The mailbox proves itself by signing in.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
// "VISA •••• 4242": a brand, a mask, the last four digits.
const MASKED_CARD = /^[A-Za-z][A-Za-z .'&-]{0,31}\s+[•*xX·]{2,16}\s*\d{4}$/u;

/** A trimmed, non-blank, single-line name of at most MAX_NAME_LENGTH characters. */
export function validName(value: string, field = 'name'): string {
  return requireText(value, field, MAX_NAME_LENGTH);
}

/** A lower-cased email address (stored lower-case so uniqueness ignores case). */
export function validEmail(value: string, field = 'email'): string {
  const email = (value ?? '').trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badInput(`${field} must be an email address`, { field });
  return email;
}

/**
 * A masked payment method such as "VISA •••• 4242". A full card number must never be stored:
 * 12 or more digits in a row (spaces, dots and dashes between them ignored) are refused outright.
 */
export function validPaymentMethod(value: string, field = 'paymentMethod'): string {
  const text = (value ?? '').trim();
  if (/\d{12,}/.test(text.replace(/[\s.\-–]/g, ''))) {
    throw badInput(`${field} looks like a full card number: send only a masked form such as "VISA •••• 4242"`, { field });
  }
  if (!MASKED_CARD.test(text)) {
    throw badInput(`${field} must be a masked payment method such as "VISA •••• 4242"`, { field });
  }
  return text;
}

/** A whole number of licenses between 1 and MAX_LICENSE_CHANGE. */
export function validLicenseCount(value: number, field = 'count'): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_LICENSE_CHANGE) {
    throw badInput(`${field} must be a whole number between 1 and ${MAX_LICENSE_CHANGE}`, {
      field,
      min: 1,
      max: MAX_LICENSE_CHANGE,
    });
  }
  return value;
}

