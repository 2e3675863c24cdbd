import { isObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddlewareTypeMap } from 'graphql-middleware';
import { badInput } from '../errors';
import { isWellFormedText } from '../validation';

/** Deeper input objects than this are not searched further (no argument of the API nests so deep). */
const MAX_DEPTH = 8;

/** The path (`input.description`, `permissions[2]`) of the first malformed string in a value, or null. */
export function malformedStringPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return isWellFormedText(value) ? null : path;
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = malformedStringPath(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = malformedStringPath(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/** BAD_USER_INPUT naming the first argument that holds a malformed string. */
export function assertWellFormedArguments(args: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(args)) {
    const field = malformedStringPath(value, name);
    if (field) throw badInput(`${field} must not contain NUL characters or unpaired UTF-16 surrogates`, { field });
  }
}

/**
 * Input hygiene in one place, for every transport: every field that takes arguments refuses
 * strings with NUL characters or unpaired surrogates before its resolver runs, so no resolver,
 * service or SQL statement ever sees one. Fields without arguments are left unwrapped and cost
 * nothing.
 */
export function refuseMalformedArguments(schema: GraphQLSchema): GraphQLSchema {
  // Synchronous (a refusal is thrown before the resolver runs): it also runs for every event of a
  // subscription whose field takes arguments, where an async wrapper would cost a promise apiece.
  const guard = (resolve: (...a: unknown[]) => unknown, parent: unknown, args: Record<string, unknown>, ctx: unknown, info: unknown) => {
    assertWellFormedArguments(args);
    return resolve(parent, args, ctx, info);
  };
  const map: IMiddlewareTypeMap = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const fields = Object.values(type.getFields()).filter((f) => f.args.length > 0);
    if (fields.length === 0) continue;
    map[type.name] = Object.fromEntries(fields.map((f) => [f.name, guard]));
  }
  return applyMiddleware(schema, map as never);
}
