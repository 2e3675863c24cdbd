// Input checks of Layer A, shared by the organization and user services. Each returns the
// normalized value or throws BAD_USER_INPUT naming the field, before anything is written.
import { badInput, notFound } from '../../errors';

/** Longest organization name accepted. */
export const MAX_NAME_LENGTH = 200;
/** Licenses bought or released by one call. */
export const MAX_LICENSE_CHANGE = 10_000;
/** Licenses an organization may hold in total (far below the int column's limit). */
export const MAX_LICENSES = 1_000_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Deliberately simple: one @, no spaces, a dot in the domain. The mailbox proves itself by signing in.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
// "VISA •••• 4242": a brand, a mask, the last four digits.
const MASKED_CARD = /^[A-Za-z][A-Za-z .'&-]{0,31}\s+[•*xX·]{2,16}\s*\d{4}$/u;

/** A trimmed, non-blank name of at most MAX_NAME_LENGTH characters. */
export function validName(value: string, field = 'name'): string {
  const name = (value ?? '').trim();
  if (name.length === 0) throw badInput(`${field} must not be blank`, { field });
  if (name.length > MAX_NAME_LENGTH) {
    throw badInput(`${field} must be at most ${MAX_NAME_LENGTH} characters`, { field, max: MAX_NAME_LENGTH });
  }
  return name;
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

/** An id that can name a row; anything else cannot exist, so it is NOT_FOUND like an unknown id. */
export function validId(value: string, what: string): string {
  if (!UUID.test(value ?? '')) throw notFound(what, value);
  return value.toLowerCase();
}
