import 'reflect-metadata';
import { GraphQLError, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { applyMiddleware, middleware } from 'graphql-middleware';
import { deny, shield } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import { buildSchema, type PubSub } from 'type-graphql';
import { MODULES } from '../modules';
import './enums';
import type { GatewayContext } from './context';
import { refuseMalformedArguments } from './input-hygiene';
import type { GatewayModule, RuleMap } from './module';
import type { ReadMap } from './read-plan';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** The shield rule tree of every module, merged; a field named twice is a programming error. */
export function ruleTree(modules: readonly GatewayModule[] = MODULES): RuleMap {
  const tree: RuleMap = {};
  for (const mod of modules) {
    for (const [type, fields] of Object.entries(mod.rules)) {
      tree[type] ??= {};
      for (const [field, r] of Object.entries(fields)) {
        if (tree[type][field]) throw new Error(`Shield rule for ${type}.${field} is defined twice (module ${mod.name})`);
        tree[type][field] = r;
      }
    }
  }
  return tree;
}

/** The planned reads every module declares, merged; a field declared twice is a programming error. */
export function readMap(modules: readonly GatewayModule[] = MODULES): ReadMap {
  const map: ReadMap = {};
  for (const mod of modules) {
    for (const [type, fields] of Object.entries(mod.reads ?? {})) {
      map[type] ??= {};
      for (const [field, read] of Object.entries(fields)) {
        if (map[type][field]) throw new Error(`Planned read of ${type}.${field} is declared twice (module ${mod.name})`);
        map[type][field] = read;
      }
    }
  }
  return map;
}

/**
 * Every subscription brings its own `subscribe` (the event feed); type-graphql still insists on
 * a PubSub once a schema has subscriptions, so it gets one that refuses to be used.
 */
const noPubSub: PubSub = {
  publish: () => {
    throw new Error('Subscriptions are fed by the event log, not by a PubSub');
  },
  subscribe: () => {
    throw new Error('Subscriptions are fed by the event log, not by a PubSub');
  },
};

/** The schema as type-graphql builds it from the resolvers, without authorization. */
export async function buildBareSchema(): Promise<GraphQLSchema> {
  const resolvers = MODULES.flatMap((m) => m.resolvers) as [Function, ...Function[]];
  return buildSchema({ resolvers, validate: false, emitSchemaFile: false, pubSub: noPubSub });
}

/**
 * Shield with deny as the fallback, applied only where rules live: every root field (listed or
 * denied) and the object fields the tree names. Other object fields stay unwrapped, so lists
 * pay nothing per row: they are reachable only through a root field that was authorized.
 */
export function applyAuthorization(schema: GraphQLSchema): GraphQLSchema {
  const tree = ruleTree();
  const guard = shield(tree as Record<string, Record<string, IRule>>, {
    fallbackRule: deny,
    fallbackError: new GraphQLError('Not allowed', { extensions: { code: 'FORBIDDEN' } }),
    allowExternalErrors: true,
  });
  const onlyGuarded = middleware((s: GraphQLSchema) => {
    const generated = guard.generate(s) as Record<string, Record<string, unknown>>;
    const kept: Record<string, Record<string, unknown>> = {};
    for (const [type, fields] of Object.entries(generated)) {
      if (ROOT_TYPES.has(type)) kept[type] = fields;
      else if (tree[type]) {
        kept[type] = Object.fromEntries(Object.entries(fields).filter(([field]) => field in tree[type]));
      }
    }
    return kept as never;
  });
  return applyMiddleware(schema, onlyGuarded);
}

/**
 * After every mutation field, the caller's rights are read again when next needed: a change
 * may have given or taken a membership (creating a consortium, accepting an invitation,
 * leaving), and the fields of its payload must be decided on what holds now.
 */
function rereadRightsAfterChanges(schema: GraphQLSchema): GraphQLSchema {
  return applyMiddleware(schema, {
    Mutation: async (resolve, parent, args, ctx: GatewayContext, info) => {
      try {
        return await resolve(parent, args, ctx, info);
      } finally {
        ctx.authz.forget();
      }
    },
  });
}

/**
 * The executable schema: every field guarded by its shield rule, and input hygiene outermost, so
 * that no rule or resolver sees a malformed string.
 */
export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  return refuseMalformedArguments(applyAuthorization(rereadRightsAfterChanges(await buildBareSchema())));
}

/** The SDL committed as schema.graphql: sorted, so it changes only when the API does. */
export async function printGatewaySchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildBareSchema()))}\n`;
}
