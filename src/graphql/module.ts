import type { allow, IRule } from 'graphql-shield';
import type { NonEmptyArray } from 'type-graphql';
import type { AppServices } from './context';
import type { ReadMap } from './read-plan';

/** Shield rules of one module: `{ Query: { field: rule }, Mutation: {…}, SomeType: { field: rule } }`. */
export type RuleMap = Record<string, Record<string, IRule | typeof allow>>;

/**
 * A feature module: its resolvers, the shield rule of every root field it adds (and of its
 * sensitive object fields), and optional start/stop hooks for long-lived helpers.
 */
export interface GatewayModule {
  name: string;
  resolvers: NonEmptyArray<Function> | Function[];
  rules: RuleMap;
  /**
   * How the planned read path answers the fields of this module's resolvers that read rows
   * (graphql/read-plan.ts), declared from the constants those resolvers use. A field not named
   * here is answered by its resolver.
   */
  reads?: ReadMap;
  start?(app: AppServices): Promise<void> | void;
  stop?(app: AppServices): Promise<void> | void;
}
