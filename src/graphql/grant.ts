import type { GraphQLResolveInfo } from 'graphql';
import { createParameterDecorator } from 'type-graphql';
import type { Acting, Caller } from '../auth/acting';
import type { GatewayContext } from './context';

/** What a consortium action acts on. */
export interface Scope<T = unknown> {
  consortiumId: string;
  /** The membership the caller names to act through (null: its only one). */
  membershipId: string | null;
  /** The owning membership of the target, for the grid's "own only" cells. */
  ownerMembershipId?: string;
  /** What the caller asked for: NOT_FOUND names it, never the consortium it belongs to. */
  subject: { type: string; id: string };
  /** The row the scope loaded, handed to the service so it never loads it again. */
  row: T;
}

/** What the shield rule of a consortium field decided: who acts, and the scope it loaded. */
export interface ConsortiumGrant<T = unknown> {
  acting: Acting;
  scope: Scope<T>;
}

/** What the shield rule of an organization-level field decided: the caller. */
export type CallerGrant = Caller;

/** An invitation or application one of its audiences may see (see requestAudience). */
export interface RequestGrant<T = unknown> {
  scope: Scope<T>;
}

export type Grant = ConsortiumGrant<any> | CallerGrant | RequestGrant<any>;

/**
 * The decisions of one request, keyed by the resolve info of the field they were made for
 * (graphql-shield passes the same info to the rule and to the resolver it guards).
 */
export class Grants {
  private readonly byField = new WeakMap<GraphQLResolveInfo, Grant>();

  set(info: GraphQLResolveInfo, grant: Grant): void {
    this.byField.set(info, grant);
  }

  get(info: GraphQLResolveInfo): Grant {
    const grant = this.byField.get(info);
    // A resolver asking for a grant its field's rule never gave is a wiring error, not a refusal.
    if (!grant) throw new Error(`No authorization decision for ${info.parentType.name}.${info.fieldName}`);
    return grant;
  }
}

/** The grant the field's shield rule made: `@Granted() grant: ConsortiumGrant<Environment>`. */
export function Granted(): ReturnType<typeof createParameterDecorator> {
  return createParameterDecorator<GatewayContext>(({ context, info }) => context.grants.get(info));
}
