import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { conflict } from '../errors';

/** Runs `work`; a unique-index violation (a race lost to a concurrent request) becomes CONFLICT. */
export async function conflictOnUnique<T>(work: () => Promise<T>, message: string, details?: Record<string, unknown>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw conflict(message, details);
    throw error;
  }
}
