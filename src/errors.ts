/** The codes a client may see in `extensions.code`. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'LICENSE_EXHAUSTED'
  | 'QUERY_TOO_COMPLEX'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/** The one failure shape of the domain: a message for people and a code for programs. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const unauthenticated = (message = 'A valid bearer token is required') =>
  new AppError('UNAUTHENTICATED', message);
export const forbidden = (message: string, details?: Record<string, unknown>) =>
  new AppError('FORBIDDEN', message, details);
/** Longest piece of client input an error message repeats: a 1 MB id is not echoed back. */
const MAX_ECHO = 100;

/** Client input as an error message repeats it: cut to MAX_ECHO characters, an ellipsis marking the cut. */
export const echo = (input: string) => (input.length <= MAX_ECHO ? input : `${input.slice(0, MAX_ECHO)}…`);

/** "No such thing" and "not yours to see" are one answer, so existence never leaks. */
export const notFound = (what: string, id?: string) =>
  new AppError('NOT_FOUND', id ? `${what} ${echo(id)} not found` : `${what} not found`);
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError('BAD_USER_INPUT', message, details);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError('CONFLICT', message, details);

/** What a refusal may add: the code of an integrity refusal with one of its own, and facts for programs. */
export interface RefusalOptions {
  /** An integrity refusal that has a code of its own (no spare licenses: LICENSE_EXHAUSTED) instead of CONFLICT. */
  code?: Extract<ErrorCode, 'LICENSE_EXHAUSTED'>;
  /** Figures or names beside kind/need/have (licenses in use, permissions not held, the field). */
  details?: Record<string, unknown>;
}

/**
 * The one path from a policy denial to the client's error: `Not allowed to <action>: <reason>`
 * with what was missing (`kind`, `need`, `have`). Integrity refusals, which no role could lift,
 * are CONFLICT (or the code of their own that `options` names); every other refusal is FORBIDDEN.
 */
export function refusal(
  action: string,
  denial: { reason: string; missing: { kind: string; need?: string; have?: string } },
  options: RefusalOptions = {},
): AppError {
  const message = `Not allowed to ${action}: ${denial.reason}`;
  const integrity = denial.missing.kind === 'integrity';
  const code = integrity ? (options.code ?? 'CONFLICT') : 'FORBIDDEN';
  return new AppError(code, message, { ...options.details, ...denial.missing });
}
