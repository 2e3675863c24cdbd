import { ReferenceKind, type EntityMetadata, type EntityProperty, type MetadataStorage } from '@mikro-orm/core';
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLError,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors';
import { plannedReads } from '../observability/metrics';
import { isUuid } from '../validation';
import type { GatewayContext } from './context';
import { assertWellFormedArguments } from './input-hygiene';
import type { RuleMap } from './module';
import { pageSize } from './pagination';
import { ruleDecision, type RuleDecision } from './rules';
import { PARENT_SCOPES } from './scopes';

type Args = Record<string, unknown>;

/**
 * A condition on a column: equal to a value, `null` (is null), or one of a list of values (fixed,
 * or taken from the field's arguments at each request).
 */
export type Condition = string | number | boolean | null | { $in: readonly unknown[] | ((args: Args) => readonly unknown[]) };
/** Conditions by entity property, all of which hold. */
export type Conditions = Readonly<Record<string, Condition>>;

/**
 * How a field whose resolver reads rows is answered by the planned read path. A module declares
 * it beside the resolver, from the same constants the resolver uses, so that the two agree.
 */
export type FieldRead =
  /** A root field: the row of `entity` whose id is the argument `idArg`, if `where` holds of it. */
  | { kind: 'row'; entity: { name: string }; idArg: string; where?: Conditions }
  /** A many-to-one relation read as Loaders.row reads it: the row the reference names (null when none). */
  | { kind: 'relation'; property: string }
  /**
   * A first page of a parent's children, oldest first by (createdAt, id), as childPage reads it
   * (Loaders.pageBy): the children of `entity` whose `foreignKey` is the parent and `where`
   * holds; an empty page unless `parentWhere` holds of the parent. `args` are the arguments the
   * plan answers (any other argument given, or `after`, leaves the operation to the resolvers).
   */
  | {
      kind: 'page';
      entity: { name: string };
      foreignKey: string;
      args: readonly string[];
      where?: Conditions;
      parentWhere?: Conditions;
    };

/** Planned reads by object type and field, as modules declare them (GatewayModule.reads). */
export type ReadMap = Record<string, Record<string, FieldRead>>;

/** The key under which a row carries, for the decisions on its fields, its id and references. */
const PARENT = '#';
/** json_build_object takes at most 100 arguments. */
const MAX_KEYS = 50;
const SCALARS = new Set(['String', 'ID', 'Int', 'Boolean']);
const COLUMN_TYPE = /^(text|uuid|varchar(\(\d+\))?|character varying(\(\d+\))?|int|int4|integer|smallint|boolean|bool)(\[\])?$/;

/** What an operation's arguments are, at each request: one entry per field that takes arguments. */
type SiteArgs = Args[];
/** A statement parameter, computed from the request's arguments. */
type Param = (sites: SiteArgs, maxPageSize: number) => unknown;

interface Site {
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  /** Arguments the plan answers; another one given leaves the operation to the resolvers. */
  answered: readonly string[] | null;
  page: boolean;
}

/** The decisions over one object of the answer, and where its children are. */
interface ObjectNode {
  guards: { decision: RuleDecision; site: number | null }[];
  children: { key: string; nodes: string[] | null; object: ObjectNode }[];
}

interface Plan {
  sql: string;
  params: Param[];
  sites: Site[];
  root: { key: string; decision: RuleDecision; site: number; idArg: string };
  tree: ObjectNode;
  variables: OperationDefinitionNode['variableDefinitions'];
}

/** Why an operation is not planned: it runs on the resolvers, as every other operation does. */
class Unplannable extends Error {}

/**
 * The planned read path: a query whose whole selection this file knows how to read (a root field
 * declared as `row`, columns, relations and first pages declared by the modules) is answered by
 * one SQL statement that builds the answer's JSON in PostgreSQL, instead of a resolver per field
 * and row, a loader per list and a snapshot per row. Planned once per document and operation.
 *
 * Nothing a resolver would check is skipped: every field's shield rule that the selection meets
 * is decided with the rule's own decision (consortiumAction), on the same parent (its id and
 * references) and arguments, per row; arguments pass the same input hygiene and page-size
 * check. When anything is refused, is malformed or is not found, the operation runs on the
 * resolvers instead, which answer it with their errors, exactly as without this path: so the
 * planned path only ever answers what the resolvers would have answered, byte for byte (the
 * tests compare both).
 */
export class ReadPlanner {
  private readonly plans = new LRUCache<string, Plan | { unplannable: true }>({ max: 1000 });

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly metadata: MetadataStorage,
    private readonly reads: ReadMap,
    private readonly rules: RuleMap,
  ) {}

  /** The answer, or null when the operation is to run on the resolvers. */
  async run(
    document: DocumentNode,
    operationName: string | undefined,
    key: string,
    ctx: GatewayContext,
    variables: Record<string, unknown> | undefined,
  ): Promise<ExecutionResult | null> {
    let plan = this.plans.get(key);
    if (!plan) {
      try {
        plan = this.compile(document, operationName);
      } catch (error) {
        if (!(error instanceof Unplannable)) throw error;
        plan = { unplannable: true };
      }
      this.plans.set(key, plan);
    }
    if ('unplannable' in plan) return null;
    const answer = await this.answer(plan, ctx, variables ?? {});
    plannedReads.inc({ outcome: answer ? 'answered' : 'declined' });
    return answer;
  }

  private async answer(plan: Plan, ctx: GatewayContext, raw: Record<string, unknown>): Promise<ExecutionResult | null> {
    const coerced = getVariableValues(this.schema, plan.variables ?? [], raw);
    if (coerced.errors) return null;
    const maxPageSize = ctx.app.config.limits.maxPageSize;
    const sites: SiteArgs = [];
    for (const site of plan.sites) {
      const args = getArgumentValues(site.field, site.node, coerced.coerced);
      for (const [name, value] of Object.entries(args)) {
        if (value !== null && value !== undefined && site.answered && !site.answered.includes(name)) return null;
      }
      try {
        assertWellFormedArguments(args);
        if (site.page) pageSize(args.first as number | null | undefined, maxPageSize);
      } catch (error) {
        if (isRefusal(error)) return null;
        throw error;
      }
      sites.push(args);
    }
    const rootArgs = sites[plan.root.site];
    if (!isUuid(rootArgs[plan.root.idArg])) return null;
    if (!(await decided([plan.root.decision.decide(undefined, rootArgs, ctx)]))) return null;
    const [row] = await ctx.app.reader.rows<{ doc: string }>(plan.sql, plan.params.map((p) => p(sites, maxPageSize)));
    if (!row) return null;
    const object = JSON.parse(row.doc) as Record<string, unknown>;
    const decisions: Promise<unknown>[] = [];
    visit(object, plan.tree, sites, ctx, decisions);
    if (!(await decided(decisions))) return null;
    return { data: { [plan.root.key]: object } };
  }

  private compile(document: DocumentNode, operationName: string | undefined): Plan {
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    if (!operation || operation.operation !== 'query') throw new Unplannable();
    const [selection, ...more] = operation.selectionSet.selections;
    if (more.length || selection.kind !== Kind.FIELD || selection.directives?.length || !selection.selectionSet) throw new Unplannable();
    const queryType = this.schema.getQueryType()!;
    const field = queryType.getFields()[selection.name.value];
    const read = this.reads.Query?.[selection.name.value];
    const decision = ruleDecision(this.rules.Query?.[selection.name.value]);
    if (!field || read?.kind !== 'row' || !decision) throw new Unplannable();
    const meta = this.entity(read.entity.name, getNamedType(field.type));
    const state: CompileState = { params: [], sites: [], aliases: 0 };
    const site = addSite(state, field, selection, [read.idArg], false);
    const alias = nextAlias(state);
    const tree: ObjectNode = { guards: [], children: [] };
    const object = this.object(state, meta, getNamedType(field.type) as GraphQLObjectType, selection, alias, tree);
    const idParam = param(state, (sites) => sites[site][read.idArg]);
    const where = [`${alias}.${column(meta, 'id')} = ${idParam}`, ...this.conditions(state, meta, alias, read.where ?? {}, site)];
    return {
      sql: `select ${object}::text as doc from ${table(meta)} ${alias} where ${where.join(' and ')}`,
      params: state.params,
      sites: state.sites,
      root: { key: responseKey(selection), decision, site, idArg: read.idArg },
      tree,
      variables: operation.variableDefinitions,
    };
  }

  /** json_build_object of a selection on an object type read from `alias`. */
  private object(state: CompileState, meta: EntityMetadata, type: GraphQLObjectType, node: FieldNode, alias: string, tree: ObjectNode): string {
    const pairs: string[] = [];
    const keys = new Set<string>();
    const fields = type.getFields();
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind !== Kind.FIELD || selection.directives?.length) throw new Unplannable();
      const key = responseKey(selection);
      if (keys.has(key)) throw new Unplannable();
      keys.add(key);
      const name = selection.name.value;
      if (name === '__typename') {
        pairs.push(`'${key}', '${type.name}'`);
        continue;
      }
      const field = fields[name];
      if (!field) throw new Unplannable();
      const rule = this.rules[type.name]?.[name];
      let guardSite: number | null = null;
      if (rule) {
        const decision = ruleDecision(rule);
        // Only decisions on the parent row's id and references (scopes.ts PARENT_SCOPES) are planned.
        if (!decision || !PARENT_SCOPES.has(decision.scope)) throw new Unplannable();
        guardSite = field.args.length ? addSite(state, field, selection, [], false) : null;
        tree.guards.push({ decision, site: guardSite });
      } else if (field.args.length && this.reads[type.name]?.[name]?.kind !== 'page') {
        throw new Unplannable();
      }
      const read = this.reads[type.name]?.[name];
      const at: FieldAt = { field, node: selection, alias, tree, key };
      if (read?.kind === 'relation') pairs.push(`'${key}', ${this.relation(state, meta, read, at)}`);
      else if (read?.kind === 'page') pairs.push(`'${key}', ${this.page(state, meta, read, at)}`);
      else if (read || field.resolve) throw new Unplannable();
      else pairs.push(`'${key}', ${alias}.${scalarColumn(meta, name, field.type)}`);
    }
    if (tree.guards.length) pairs.push(`'${PARENT}', ${this.parentRef(meta, alias)}`);
    if (!pairs.length || pairs.length > MAX_KEYS) throw new Unplannable();
    return `json_build_object(${pairs.join(', ')})`;
  }

  /** What a decision on a field of the row reads of its parent: the id and every reference, as snapshots hold them. */
  private parentRef(meta: EntityMetadata, alias: string): string {
    const pairs = [`'id', ${alias}.${column(meta, 'id')}`];
    for (const prop of meta.props) {
      if (prop.kind !== ReferenceKind.MANY_TO_ONE || prop.fieldNames.length !== 1) continue;
      const fk = `${alias}.${quote(prop.fieldNames[0])}`;
      pairs.push(`'${prop.name}', case when ${fk} is null then null else json_build_object('id', ${fk}) end`);
    }
    return `json_build_object(${pairs.join(', ')})`;
  }

  private relation(state: CompileState, meta: EntityMetadata, read: Extract<FieldRead, { kind: 'relation' }>, at: FieldAt): string {
    const { field, node, alias, tree, key } = at;
    const prop = meta.properties[read.property] as EntityProperty | undefined;
    if (!prop || prop.kind !== ReferenceKind.MANY_TO_ONE || prop.fieldNames.length !== 1) throw new Unplannable();
    const target = this.entity(prop.type, getNamedType(field.type));
    const child = nextAlias(state);
    const subtree: ObjectNode = { guards: [], children: [] };
    const object = this.object(state, target, getNamedType(field.type) as GraphQLObjectType, node, child, subtree);
    tree.children.push({ key, nodes: null, object: subtree });
    return `(select ${object} from ${table(target)} ${child} where ${child}.${column(target, 'id')} = ${alias}.${quote(prop.fieldNames[0])})`;
  }

  private page(state: CompileState, parent: EntityMetadata, read: Extract<FieldRead, { kind: 'page' }>, at: FieldAt): string {
    const { field, node, alias, tree, key } = at;
    const connection = getNamedType(field.type);
    const nodesField = isObjectType(connection) ? connection.getFields().nodes : undefined;
    if (!nodesField || !isNonNullType(field.type)) throw new Unplannable();
    const itemType = getNamedType(nodesField.type) as GraphQLObjectType;
    const meta = this.entity(read.entity.name, itemType);
    const fk = meta.properties[read.foreignKey] as EntityProperty | undefined;
    if (!fk || fk.kind !== ReferenceKind.MANY_TO_ONE || fk.fieldNames.length !== 1) throw new Unplannable();
    const site = addSite(state, field, node, read.args, true);
    const child = nextAlias(state);
    const order = `${child}.${column(meta, 'createdAt')}, ${child}.${column(meta, 'id')}`;
    const where = [`${child}.${quote(fk.fieldNames[0])} = ${alias}.${column(parent, 'id')}`, ...this.conditions(state, meta, child, read.where ?? {}, site)];
    const limit = param(state, (sites, max) => pageSize(sites[site].first as number | null | undefined, max));
    const pairs: string[] = [];
    const empty: string[] = [];
    const keys = new Set<string>();
    const nodeKeys: string[] = [];
    const subtree: ObjectNode = { guards: [], children: [] };
    let items: string | null = null;
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind !== Kind.FIELD || selection.directives?.length) throw new Unplannable();
      const k = responseKey(selection);
      if (keys.has(k)) throw new Unplannable();
      keys.add(k);
      if (selection.name.value === '__typename') {
        pairs.push(`'${k}', '${connection.name}'`);
        empty.push(`'${k}', '${connection.name}'`);
        continue;
      }
      // Only the rows: pageInfo and totalCount are the resolvers' (cursors, a count statement).
      if (selection.name.value !== 'nodes' || nodeKeys.length) throw new Unplannable();
      items ??= this.object(state, meta, itemType, selection, child, subtree);
      nodeKeys.push(k);
      pairs.push(
        `'${k}', coalesce((select json_agg(${items} order by ${order}) from (select * from ${table(meta)} ${child} where ${where.join(' and ')} order by ${order} limit ${limit}) ${child}), '[]'::json)`,
      );
      empty.push(`'${k}', '[]'::json`);
    }
    if (!pairs.length) throw new Unplannable();
    tree.children.push({ key, nodes: nodeKeys, object: subtree });
    const page = `json_build_object(${pairs.join(', ')})`;
    if (!read.parentWhere) return page;
    const live = this.conditions(state, parent, alias, read.parentWhere, site);
    return `case when ${live.join(' and ')} then ${page} else json_build_object(${empty.join(', ')}) end`;
  }

  private conditions(state: CompileState, meta: EntityMetadata, alias: string, where: Conditions, site: number): string[] {
    return Object.entries(where).map(([prop, condition]) => {
      const col = `${alias}.${column(meta, prop)}`;
      if (condition === null) return `${col} is null`;
      if (typeof condition === 'object') {
        const values = condition.$in;
        return `${col} = any(${param(state, (sites) => (typeof values === 'function' ? values(sites[site]) : values))})`;
      }
      return `${col} = ${param(state, () => condition)}`;
    });
  }

  /** The entity a GraphQL object type is read from: of the same name, or not planned. */
  private entity(name: string, type: unknown): EntityMetadata {
    if (!isObjectType(type) || type.name !== name) throw new Unplannable();
    const meta = this.metadata.find(name);
    if (!meta || meta.virtual || meta.embeddable) throw new Unplannable();
    return meta;
  }
}

/** A field of a selection being planned: its definition and node, the row's alias, the object's decisions, its response key. */
interface FieldAt {
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  alias: string;
  tree: ObjectNode;
  key: string;
}

interface CompileState {
  params: Param[];
  sites: Site[];
  aliases: number;
}

function addSite(state: CompileState, field: GraphQLField<unknown, unknown>, node: FieldNode, answered: readonly string[], page: boolean): number {
  state.sites.push({ field, node, answered: page || answered.length ? answered : null, page });
  return state.sites.length - 1;
}

function param(state: CompileState, get: Param): string {
  state.params.push(get);
  return `$${state.params.length}`;
}

function nextAlias(state: CompileState): string {
  return `t${state.aliases++}`;
}

const responseKey = (node: FieldNode): string => node.alias?.value ?? node.name.value;
const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;
const table = (meta: EntityMetadata): string => `${meta.schema ? `${quote(meta.schema)}.` : ''}${quote(meta.tableName)}`;

function column(meta: EntityMetadata, prop: string): string {
  const p = meta.properties[prop] as EntityProperty | undefined;
  if (!p || p.fieldNames?.length !== 1) throw new Unplannable();
  return quote(p.fieldNames[0]);
}

/**
 * The column a field without a resolver reads (its entity property), when PostgreSQL's JSON of
 * the column is what GraphQL would answer: text, uuid, small integers, booleans, enums whose
 * values are their names, and arrays of those. Dates, large numbers, JSON and lazy columns are
 * left to the resolvers.
 */
function scalarColumn(meta: EntityMetadata, name: string, type: GraphQLOutputType): string {
  const prop = meta.properties[name] as EntityProperty | undefined;
  if (!prop || prop.kind !== ReferenceKind.SCALAR || prop.lazy || prop.persist === false || prop.formula || prop.fieldNames?.length !== 1) {
    throw new Unplannable();
  }
  const nullable = !isNonNullType(type);
  if (!nullable && prop.nullable) throw new Unplannable();
  const inner = getNullableType(type);
  const list = isListType(inner);
  const named = getNamedType(type);
  if (list && !isNonNullType(inner.ofType)) throw new Unplannable();
  const columnType = String(prop.columnTypes?.[0] ?? '').toLowerCase();
  const match = COLUMN_TYPE.exec(columnType);
  if (!match || Boolean(match[4]) !== list) throw new Unplannable();
  const base = match[1];
  const ok = isEnumType(named)
    ? named.getValues().every((v) => v.name === v.value) && /^(text|varchar|character)/.test(base)
    : SCALARS.has(named.name) &&
      (named.name === 'Int' ? /^(int|int4|integer|smallint)$/.test(base)
        : named.name === 'Boolean' ? /^bool/.test(base)
          : /^(text|uuid|varchar|character)/.test(base));
  if (!ok) throw new Unplannable();
  return quote(prop.fieldNames[0]);
}

/** Runs the decisions a planned answer met on its way (see ReadPlanner) and drops the parents' keys. */
function visit(value: Record<string, unknown> | null, node: ObjectNode, sites: SiteArgs, ctx: GatewayContext, decisions: Promise<unknown>[]): void {
  if (value === null) return;
  if (node.guards.length) {
    const parent = value[PARENT];
    delete value[PARENT];
    for (const guard of node.guards) decisions.push(guard.decision.decide(parent, guard.site === null ? {} : sites[guard.site], ctx));
  }
  for (const child of node.children) {
    const found = value[child.key] as Record<string, unknown> | null;
    if (child.nodes === null) visit(found, child.object, sites, ctx, decisions);
    else for (const k of child.nodes) for (const item of found?.[k] as Record<string, unknown>[]) visit(item, child.object, sites, ctx, decisions);
  }
}

/** Whether every decision allowed; false when one refused (a coded error), any other failure thrown. */
async function decided(decisions: Promise<unknown>[]): Promise<boolean> {
  try {
    await Promise.all(decisions);
    return true;
  } catch (error) {
    if (isRefusal(error)) return false;
    throw error;
  }
}

const isRefusal = (error: unknown): boolean => error instanceof AppError || error instanceof GraphQLError;
