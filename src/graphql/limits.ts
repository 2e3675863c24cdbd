import type { RequestHandler } from 'express';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isIntrospectionType,
  isListType,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Config } from '../config';
import { DEFAULT_PAGE_SIZE } from './pagination';

type Limits = Config['limits'];

/** How many rows an unpaginated list field is assumed to return when costing a query. */
const ASSUMED_LIST_SIZE = 20;

/** A refusal of an operation by a limit; reaches the client with code QUERY_TOO_COMPLEX. */
export class QueryLimitError extends GraphQLError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code: 'QUERY_TOO_COMPLEX', ...extra, http: { status: 400 } } });
  }
}

function tooComplex(message: string, extra: Record<string, unknown> = {}): QueryLimitError {
  return new QueryLimitError(message, extra);
}

function selectionDepth(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      max = Math.max(max, 1 + selectionDepth(sel.selectionSet, fragments, seen));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, selectionDepth(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      if (seen.has(name) || !fragments[name]) continue;
      max = Math.max(max, selectionDepth(fragments[name].selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return max;
}

/** Validation rules run before execution: maximum depth and maximum number of aliases. */
export function queryLimitRules(limits: Limits) {
  const depthRule = (context: ValidationContext): ASTVisitor => {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
    }
    return {
      OperationDefinition(node) {
        const depth = selectionDepth(node.selectionSet, fragments, new Set());
        if (depth > limits.maxDepth) {
          context.reportError(tooComplex(`Query depth ${depth} exceeds the maximum of ${limits.maxDepth}`, { depth, maxDepth: limits.maxDepth }));
        }
      },
    };
  };
  const aliasRule = (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias) aliases++;
      },
      Document: {
        leave() {
          if (aliases > limits.maxAliases) {
            context.reportError(tooComplex(`${aliases} aliases exceed the maximum of ${limits.maxAliases}`, { aliases, maxAliases: limits.maxAliases }));
          }
        },
      },
    };
  };
  // Each variable definition is coerced and checked before execution: a document may define
  // only as many as a request may send.
  const variablesRule = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const count = node.variableDefinitions?.length ?? 0;
      if (count > limits.maxVariables) {
        context.reportError(tooComplex(`${count} variables exceed the maximum of ${limits.maxVariables}`, { variables: count, maxVariables: limits.maxVariables }));
      }
    },
  });
  return [depthRule, aliasRule, variablesRule];
}

/**
 * Lists multiply: a field's cost is 1 + (rows it may return) × (cost of its selection). A
 * connection returns the page it is asked for (`first`, else the default page size), so its
 * `nodes` count once inside it; any other list is assumed to hold ASSUMED_LIST_SIZE rows.
 */
function listEstimator(limits: Limits): ComplexityEstimator {
  const defaultPage = Math.min(DEFAULT_PAGE_SIZE, limits.maxPageSize);
  return ({ type, field, args, childComplexity }) => {
    // Introspection reads the schema in memory: tools' standard query must pass the default limit.
    if (field.name.startsWith('__') || isIntrospectionType(type)) return 0;
    const first = typeof args.first === 'number' ? args.first : undefined;
    const returnsList = isListType(getNullableType(field.type));
    const connection = getNamedType(field.type).name.endsWith('Connection');
    const inConnection = type.name.endsWith('Connection');
    // A connection's `nodes` is its page, already counted by the connection: no cost of its own.
    if (returnsList && inConnection) return childComplexity;
    let rows = 1;
    if (connection) rows = first ?? defaultPage;
    else if (returnsList) rows = first ?? ASSUMED_LIST_SIZE;
    return 1 + rows * childComplexity;
  };
}

/**
 * The estimated cost of an operation, refused beyond the limit. Costs are remembered per parsed
 * document and variables: Apollo reuses one document per query text, so a repeated operation is
 * not estimated again.
 */
export function costEstimator(limits: Limits): (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>) => number {
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  return (schema, document, operationName, variables) => {
    const key = `${operationName ?? ''}\u0000${JSON.stringify(variables)}`;
    let known = costs.get(document);
    if (!known) costs.set(document, (known = new Map()));
    let cost = known.get(key);
    if (cost === undefined) {
      cost = estimate(schema, document, operationName, variables, limits);
      if (known.size < 100) known.set(key, cost);
    }
    if (cost > limits.maxCost) {
      throw tooComplex(`Query cost ${cost} exceeds the maximum of ${limits.maxCost}`, { cost, maxCost: limits.maxCost });
    }
    return cost;
  };
}

function estimate(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>, limits: Limits): number {
  try {
    return getComplexity({ schema, query: document, operationName, variables, estimators: [listEstimator(limits)] });
  } catch (error) {
            // getComplexity coerces the variables first: a value of the wrong type (1.5 or 2^31
            // for an Int) is the client's fault, as graphql-js itself would report it.
    if (!(error instanceof GraphQLError)) throw error;
    throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
}

/** Caps the number of operations in one batched HTTP request. */
export function batchLimit(limits: Limits): RequestHandler {
  return (req, res, next) => {
    if (Array.isArray(req.body) && req.body.length > limits.maxBatch) {
      res.status(400).json({
        errors: [
          {
            message: `A batch of ${req.body.length} operations exceeds the maximum of ${limits.maxBatch}`,
            extensions: { code: 'QUERY_TOO_COMPLEX', maxBatch: limits.maxBatch },
          },
        ],
      });
      return;
    }
    next();
  };
}
