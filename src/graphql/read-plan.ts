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
import { rowReader } from './loaders';
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

/** json_build_array takes at most 100 arguments. */
const MAX_VALUES = 100;
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
  answered: readonly string[];
  page: boolean;
}

/** A connection's field: its rows (`nodes`), or its `__typename`. */
interface ConnectionField {
  key: string;
  /** The type's name for `__typename`; null for the rows. */
  typename: string | null;
}

/** How one row's array of values becomes its object of the answer, in the selection's order. */
type ShapeField =
  | { key: string; kind: 'value'; index: number }
  | { key: string; kind: 'constant'; value: string }
  | { key: string; kind: 'object'; index: number; shape: Shape }
  | { key: string; kind: 'page'; index: number; connection: ConnectionField[]; item: Shape };

interface Shape {
  fields: ShapeField[];
  /** The rules of the fields selected on this row, decided on its parent array (at `parent`). */
  guards: { decision: RuleDecision; site: number | null }[];
  parent: number;
  /** The references the row's parent array carries after its id, in order (parentRef). */
  references: string[];
}

interface Plan {
  sql: string;
  params: Param[];
  sites: Site[];
  root: { key: string; decision: RuleDecision; site: number; idArg: string };
  shape: Shape;
  variables: OperationDefinitionNode['variableDefinitions'];
}

/** Why an operation is not planned: it runs on the resolvers, as every other operation does. */
class Unplannable extends Error {}

/**
 * The planned read path: a query whose whole selection this file knows how to read (a root field
 * declared as `row`, columns, relations and first pages declared by the modules) is answered by
 * one SQL statement that reads the whole answer as one JSON text of arrays (a row's values in
 * the selection's order), which `build` gives the selection's keys: no resolver per field and
 * row, no loader per list, no snapshot per row. Planned once per document and operation.
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
      let args: Args;
      try {
        args = getArgumentValues(site.field, site.node, coerced.coerced);
        for (const [name, value] of Object.entries(args)) {
          if (value !== null && value !== undefined && !site.answered.includes(name)) return null;
        }
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
    const decisions: Promise<unknown>[] = [];
    const object = build(plan.shape, JSON.parse(row.doc) as unknown[], sites, ctx, decisions);
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
    const state: CompileState = { params: [], sites: [], aliases: 0, used: new Map() };
    const site = addSite(state, field, selection, [read.idArg], false);
    const alias = nextAlias(state);
    const from: From = { joins: [] };
    const object = this.object(state, meta, getNamedType(field.type) as GraphQLObjectType, selection, alias, from);
    const idParam = param(state, (sites) => sites[site][read.idArg]);
    const where = [`${ref(state, alias, column(meta, 'id'))} = ${idParam}`, ...this.conditions(state, meta, alias, read.where ?? {}, site)];
    return {
      sql: `select ${object.sql}::text as doc from ${table(meta)} ${alias}${from.joins.join('')} where ${where.join(' and ')}`,
      params: state.params,
      sites: state.sites,
      root: { key: responseKey(selection), decision, site, idArg: read.idArg },
      shape: object.shape,
      variables: operation.variableDefinitions,
    };
  }

  /**
   * The values of a selection on an object type read from `alias`, as one json_build_array (its
   * relations join `from`), and the shape that makes them the answer's object: keys are added in
   * JavaScript, so PostgreSQL builds no object and writes no key per row (a quarter less of its
   * time on the large query than json_build_object).
   */
  private object(state: CompileState, meta: EntityMetadata, type: GraphQLObjectType, node: FieldNode, alias: string, from: From): { sql: string; shape: Shape } {
    const values: string[] = [];
    const shape: Shape = { fields: [], guards: [], parent: -1, references: [] };
    const fields = type.getFields();
    for (const [key, selection] of plainFields(node)) {
      const name = selection.name.value;
      if (name === '__typename') {
        shape.fields.push({ key, kind: 'constant', value: type.name });
        continue;
      }
      const field = fields[name];
      if (!field) throw new Unplannable();
      const rule = this.rules[type.name]?.[name];
      const read = this.reads[type.name]?.[name];
      // Arguments only where the plan reads them (a page's); a field that takes others is the resolvers'.
      if (field.args.length && read?.kind !== 'page') throw new Unplannable();
      const index = values.length;
      const at: FieldAt = { field, node: selection, alias, from };
      let site: number | null = null;
      if (read?.kind === 'relation') {
        const relation = this.relation(state, meta, read, at);
        values.push(relation.sql);
        shape.fields.push({ key, kind: 'object', index, shape: relation.shape });
      } else if (read?.kind === 'page') {
        const page = this.page(state, meta, read, at);
        site = page.site;
        values.push(page.sql);
        shape.fields.push({ key, kind: 'page', index, connection: page.connection, item: page.item });
      } else if (read || field.resolve) {
        throw new Unplannable();
      } else {
        values.push(ref(state, alias, scalarColumn(meta, name, field.type)));
        shape.fields.push({ key, kind: 'value', index });
      }
      if (rule) {
        const decision = ruleDecision(rule);
        // Only decisions on the parent row's id and references (scopes.ts PARENT_SCOPES) are planned.
        if (!decision || !PARENT_SCOPES.has(decision.scope)) throw new Unplannable();
        shape.guards.push({ decision, site });
      }
    }
    if (shape.guards.length) {
      shape.parent = values.length;
      values.push(this.parentRef(state, meta, alias, shape));
    }
    if (values.length > MAX_VALUES) throw new Unplannable();
    return { sql: `json_build_array(${values.join(', ')})`, shape };
  }

  /**
   * What a decision on a field of the row reads of its parent: the id and every reference, as
   * snapshots hold them (`{ id }` each), sent as one array and made an object by `build`.
   */
  private parentRef(state: CompileState, meta: EntityMetadata, alias: string, shape: Shape): string {
    const values = [ref(state, alias, column(meta, 'id'))];
    for (const prop of meta.props) {
      if (prop.kind !== ReferenceKind.MANY_TO_ONE || prop.fieldNames.length !== 1) continue;
      shape.references.push(prop.name);
      values.push(ref(state, alias, column(meta, prop.name)));
    }
    return `json_build_array(${values.join(', ')})`;
  }

  private relation(state: CompileState, meta: EntityMetadata, read: Extract<FieldRead, { kind: 'relation' }>, at: FieldAt): { sql: string; shape: Shape } {
    const { field, node, alias, from } = at;
    const prop = meta.properties[read.property] as EntityProperty | undefined;
    if (!prop || prop.kind !== ReferenceKind.MANY_TO_ONE || prop.fieldNames.length !== 1) throw new Unplannable();
    const target = this.entity(prop.type, getNamedType(field.type));
    const child = nextAlias(state);
    const id = `${child}.${column(target, 'id')}`;
    // Joined to the rows it belongs to (at most one row by its key): a lookup per row as a
    // subquery cost PostgreSQL about half as much again for the large query.
    from.joins.push(` left join ${table(target)} ${child} on ${id} = ${ref(state, alias, column(meta, prop.name))}`);
    const object = this.object(state, target, getNamedType(field.type) as GraphQLObjectType, node, child, from);
    return { sql: `case when ${id} is null then null else ${object.sql} end`, shape: object.shape };
  }

  /** The rows of a first page, as one json_agg of their arrays, and the connection object's fields. */
  private page(
    state: CompileState,
    parent: EntityMetadata,
    read: Extract<FieldRead, { kind: 'page' }>,
    at: FieldAt,
  ): { sql: string; site: number; connection: ConnectionField[]; item: Shape } {
    const { field, node, alias } = at;
    const connection = getNamedType(field.type);
    const nodesField = isObjectType(connection) ? connection.getFields().nodes : undefined;
    if (!nodesField || !isNonNullType(field.type)) throw new Unplannable();
    const itemType = getNamedType(nodesField.type) as GraphQLObjectType;
    const meta = this.entity(read.entity.name, itemType);
    const fk = meta.properties[read.foreignKey] as EntityProperty | undefined;
    if (!fk || fk.kind !== ReferenceKind.MANY_TO_ONE || fk.fieldNames.length !== 1) throw new Unplannable();
    const site = addSite(state, field, node, read.args, true);
    const child = nextAlias(state);
    const order = `${ref(state, child, column(meta, 'createdAt'))}, ${ref(state, child, column(meta, 'id'))}`;
    const where = [`${child}.${column(meta, fk.name)} = ${ref(state, alias, column(parent, 'id'))}`, ...this.conditions(state, meta, child, read.where ?? {}, site)];
    const limit = param(state, (sites, max) => pageSize(sites[site].first as number | null | undefined, max));
    const fields: ConnectionField[] = [];
    let items: { sql: string; shape: Shape } | null = null;
    const rows: From = { joins: [] };
    for (const [key, selection] of plainFields(node)) {
      if (selection.name.value === '__typename') {
        fields.push({ key, typename: connection.name });
        continue;
      }
      // Only the rows, once: pageInfo and totalCount are the resolvers' (cursors, a count statement).
      if (selection.name.value !== 'nodes' || items) throw new Unplannable();
      items = this.object(state, meta, itemType, selection, child, rows);
      fields.push({ key, typename: null });
    }
    if (!items) throw new Unplannable();
    const columns = [...(state.used.get(child) ?? [])].map((c) => `${child}.${c}`).join(', ');
    const rowsOf = `(select ${columns} from ${table(meta)} ${child} where ${where.join(' and ')} order by ${order} limit ${limit}) ${child}${rows.joins.join('')}`;
    let sql = `coalesce((select json_agg(${items.sql} order by ${order}) from ${rowsOf}), '[]'::json)`;
    if (read.parentWhere) sql = `case when ${this.conditions(state, parent, alias, read.parentWhere, site).join(' and ')} then ${sql} else '[]'::json end`;
    return { sql, site, connection: fields, item: items.shape };
  }

  private conditions(state: CompileState, meta: EntityMetadata, alias: string, where: Conditions, site: number): string[] {
    return Object.entries(where).map(([prop, condition]) => {
      const col = ref(state, alias, column(meta, prop));
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

/** A field of a selection being planned: its definition and node, the alias of the row it is on, that row's FROM list. */
interface FieldAt {
  from: From;
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  alias: string;
}

/** The joins of one FROM list: the root row's, or a page's rows'. */
interface From {
  joins: string[];
}

interface CompileState {
  params: Param[];
  sites: Site[];
  aliases: number;
  /** The columns read of each alias' rows: all a page's subquery selects. */
  used: Map<string, Set<string>>;
}

/** A column of the rows of `alias`, noted as read. */
function ref(state: CompileState, alias: string, column: string): string {
  let columns = state.used.get(alias);
  if (!columns) state.used.set(alias, (columns = new Set()));
  columns.add(column);
  return `${alias}.${column}`;
}

function addSite(state: CompileState, field: GraphQLField<unknown, unknown>, node: FieldNode, answered: readonly string[], page: boolean): number {
  state.sites.push({ field, node, answered, page });
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

/**
 * The fields a selection set selects, by response key: only fields, without directives, each key
 * once (fragments, `@skip`/`@include` and merged fields are the resolvers').
 */
function* plainFields(node: FieldNode): Generator<[string, FieldNode]> {
  const keys = new Set<string>();
  for (const selection of node.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) throw new Unplannable();
    const key = responseKey(selection);
    if (keys.has(key)) throw new Unplannable();
    keys.add(key);
    yield [key, selection];
  }
}
/** The table of an entity, as the loaders and the principal statement name it. */
const table = (meta: EntityMetadata): string => rowReader(meta).table;

/**
 * The quoted column of a property that a snapshot holds (rowReader: no lazy or deferred column),
 * or not planned.
 */
function column(meta: EntityMetadata, prop: string): string {
  try {
    return rowReader(meta).column(prop);
  } catch {
    throw new Unplannable();
  }
}

/**
 * The column a field without a resolver reads (its entity property), when PostgreSQL's JSON of
 * the column is what GraphQL would answer: text, uuid, small integers, booleans, enums whose
 * values are their names, and arrays of those. Dates, large numbers, JSON and lazy columns are
 * left to the resolvers.
 */
function scalarColumn(meta: EntityMetadata, name: string, type: GraphQLOutputType): string {
  const prop = meta.properties[name] as EntityProperty | undefined;
  if (!prop || prop.kind !== ReferenceKind.SCALAR || prop.formula) throw new Unplannable();
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
  return column(meta, name);
}

/**
 * The answer's object of one row's array of values (see ReadPlanner.object), and the decisions
 * its selected fields' rules make on the row, started as the row is met.
 */
function build(shape: Shape, row: unknown[], sites: SiteArgs, ctx: GatewayContext, decisions: Promise<unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of shape.fields) {
    switch (field.kind) {
      case 'value':
        out[field.key] = row[field.index];
        break;
      case 'constant':
        out[field.key] = field.value;
        break;
      case 'object': {
        const value = row[field.index] as unknown[] | null;
        out[field.key] = value === null ? null : build(field.shape, value, sites, ctx, decisions);
        break;
      }
      case 'page': {
        const items = row[field.index] as unknown[][];
        const connection: Record<string, unknown> = {};
        for (const c of field.connection) {
          connection[c.key] = c.typename ?? items.map((item) => build(field.item, item, sites, ctx, decisions));
        }
        out[field.key] = connection;
        break;
      }
    }
  }
  if (shape.guards.length) {
    const [id, ...references] = row[shape.parent] as (string | null)[];
    const parent: Record<string, unknown> = { id };
    shape.references.forEach((name, i) => (parent[name] = references[i] === null ? null : { id: references[i] }));
    for (const guard of shape.guards) decisions.push(guard.decision.decide(parent, guard.site === null ? {} : sites[guard.site], ctx));
  }
  return out;
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
