import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  subscribe,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from './context';
import type { ReadPlanner } from './read-plan';

type Gateway = ApolloServerOptionsWithGateway<GatewayContext>['gateway'];

/**
 * Runs queries and mutations with graphql-jit: each distinct operation is compiled once into a
 * plain function that walks its own selection set, instead of graphql-js interpreting the
 * document field by field on every request (about a quarter of the CPU of a large answer).
 * Resolvers, the authorization middleware, scalars and error handling are the schema's own.
 *
 * Apollo Server accepts an executor only through its gateway interface, so this is a "gateway"
 * with a fixed schema. Apollo still parses, validates (with the query limits) and formats errors;
 * only execution changes. Compiled operations are kept in a bounded LRU cache keyed by the
 * document's hash and operation name; an operation graphql-jit refuses to compile runs on
 * graphql-js, so nothing is lost by the optimization.
 *
 * With a `planner` (PLANNED_READS), a query whose whole selection it can read is answered by its
 * one statement first (read-plan.ts); whatever it declines runs as above.
 */
export function compiledExecution(schema: GraphQLSchema, opts: { cacheSize: number; planner?: ReadPlanner | null }): Gateway {
  const compiled = new LRUCache<string, CompiledQuery | { fallback: true }>({ max: opts.cacheSize });

  function compile(document: DocumentNode, operationName: string | undefined, key: string): CompiledQuery | { fallback: true } {
    let entry = compiled.get(key);
    if (!entry) {
      const result = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      entry = isCompiledQuery(result) ? result : { fallback: true };
      compiled.set(key, entry);
    }
    return entry;
  }

  return {
    async load() {
      return {
        executor: async (requestContext): Promise<ExecutionResult> => {
          const { document, request, operationName, queryHash } = requestContext;
          const context = requestContext.context as GatewayContext;
          const key = `${queryHash}:${operationName ?? ''}`;
          const planned = opts.planner ? await opts.planner.run(document, operationName ?? undefined, key, context, request.variables) : null;
          if (planned) return planned;
          const entry = compile(document, operationName ?? undefined, key);
          if ('fallback' in entry) {
            return execute({ schema, document, contextValue: context, variableValues: request.variables, operationName });
          }
          const result = await entry.query(undefined, context, request.variables ?? {});
          if (result.errors) result.errors = result.errors.map(asGraphQLError);
          return result as ExecutionResult;
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {
      compiled.clear();
    },
  };
}

/** What a subscription operation answers: its stream of results, or the errors of its subscribe step. */
export type SubscriptionResult = AsyncIterableIterator<ExecutionResult> | ExecutionResult;

/**
 * Runs subscriptions with graphql-jit: the subscribe step is graphql-js' own (the field's
 * `subscribe`, with its guards, opening the event stream), and each event is then executed by
 * the operation's compiled selection instead of graphql-js interpreting the document again for
 * every subscriber and every event. The compiled function calls the schema's own resolvers, so
 * the authorization middleware, redaction per viewer and error handling are unchanged; each
 * event is executed with the subscriber's own context, never shared across viewers.
 *
 * Compiled operations are kept in a bounded LRU cache keyed by the document's text and operation
 * name; a document without its source text, or one graphql-jit refuses to compile, runs on
 * graphql-js' `subscribe`.
 */
export function compiledSubscription(schema: GraphQLSchema, opts: { cacheSize: number }): (args: ExecutionArgs) => Promise<SubscriptionResult> {
  const compiled = new LRUCache<string, CompiledQuery | { fallback: true }>({ max: opts.cacheSize });

  function compile(document: DocumentNode, operationName: string | undefined): CompiledQuery | { fallback: true } {
    const text = document.loc?.source.body;
    if (text === undefined) return FALLBACK;
    const key = `${operationName ?? ''}\n${text}`;
    let entry = compiled.get(key);
    if (!entry) {
      const result = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      entry = isCompiledQuery(result) ? result : FALLBACK;
      compiled.set(key, entry);
    }
    return entry;
  }

  return async (args) => {
    const entry = args.schema === schema ? compile(args.document, args.operationName ?? undefined) : FALLBACK;
    if ('fallback' in entry) return (await subscribe(args)) as SubscriptionResult;
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    return new CompiledEvents(source as AsyncIterableIterator<unknown>, entry, args.contextValue, (args.variableValues ?? {}) as Record<string, unknown>);
  };
}

const FALLBACK = { fallback: true } as const;

/**
 * The results of one subscription: each event of the source stream executed by the compiled
 * selection with the subscriber's context. No async function per event: one promise for the
 * source's next event, and one more only when a resolver answers with a promise.
 */
class CompiledEvents implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly compiled: CompiledQuery,
    private readonly context: unknown,
    private readonly variables: Record<string, unknown>,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.source.next().then((step) => (step.done ? (step as IteratorReturnResult<undefined>) : this.run(step.value)));
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    return typeof this.source.return === 'function'
      ? this.source.return().then(() => DONE)
      : Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    return typeof this.source.throw === 'function' ? this.source.throw(error).then(() => DONE) : Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private run(event: unknown): IteratorResult<ExecutionResult> | Promise<IteratorResult<ExecutionResult>> {
    let result: ReturnType<CompiledQuery['query']>;
    try {
      result = this.compiled.query(event, this.context, this.variables);
    } catch (error) {
      return this.fail(error);
    }
    return isPromiseLike(result) ? Promise.resolve(result).then(step, (error) => this.fail(error)) : step(result);
  }

  /** As graphql-js: an execution that throws closes the source, and the error ends the stream. */
  private fail(error: unknown): Promise<never> {
    const closed = typeof this.source.return === 'function' ? this.source.return().catch(() => undefined) : Promise.resolve();
    return closed.then(() => {
      throw error;
    });
  }
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

function step(result: ExecutionResult): IteratorYieldResult<ExecutionResult> {
  if (result.errors) (result as { errors: readonly GraphQLError[] }).errors = result.errors.map(asGraphQLError);
  return { value: result, done: false };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

/**
 * graphql-jit's errors are GraphQLErrors by prototype but leave `extensions` undefined when the
 * cause had none, which Apollo's error formatting does not expect: rebuild them as graphql-js
 * builds them (extensions taken from the cause, path and locations kept).
 */
function asGraphQLError(error: unknown): GraphQLError {
  if (!(error instanceof Error)) return new GraphQLError(String(error));
  const { path, locations, originalError } = error as Partial<GraphQLError>;
  const rebuilt = new GraphQLError(error.message, { path, originalError: originalError ?? undefined });
  if (locations) (rebuilt as { locations?: unknown }).locations = locations;
  return rebuilt;
}
