import type { allow, IRule } from 'graphql-shield';
import type { NonEmptyArray } from 'type-graphql';
import type { AppServices } from './context';

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
  start?(app: AppServices): Promise<void> | void;
  stop?(app: AppServices): Promise<void> | void;
}
