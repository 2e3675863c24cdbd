import { badInput, notFound } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Control characters; a multi-line text keeps tab, line feed and carriage return.
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * A NUL character (PostgreSQL's text types cannot hold it) or a UTF-16 surrogate without its
 * pair (not a character at all: it cannot be encoded as UTF-8 and would be stored as U+FFFD).
 */
const MALFORMED = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when a text holds no NUL character and no unpaired surrogate. */
export function isWellFormedText(text: string): boolean {
  return !MALFORMED.test(text);
}

/** True for a well-formed uuid: any other id cannot name a row, and must not reach a uuid column. */
/** A JSON object: not null, not an array (a request's variables, a stored change). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** An id that can name a row, lower-cased; anything else cannot exist, so it is NOT_FOUND like an unknown id. */
export function requireId(value: string, what: string): string {
  if (!isUuid(value)) throw notFound(what, value);
  return value.toLowerCase();
}

/**
 * A trimmed, non-blank text of at most `max` characters without control characters (line breaks
 * and tabs allowed when `multiline`), or BAD_USER_INPUT naming the field.
 */
export function requireText(value: unknown, field: string, max: number, opts: { multiline?: boolean } = {}): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw badInput(`${field} must not be blank`, { field });
  if (text.length > max) throw badInput(`${field} must be at most ${max} characters`, { field, max });
  if ((opts.multiline ? CONTROL_EXCEPT_LINES : CONTROL).test(text)) {
    throw badInput(`${field} must not contain control characters`, { field });
  }
  return text;
}
