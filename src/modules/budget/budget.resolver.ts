import { Ctx, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { RateBudget } from './budget.types';

@Resolver()
export class BudgetResolver {
  @Query(() => RateBudget, { description: "What is left of the caller's cost budget (also in every answer's extensions.cost)" })
  rateBudget(@Ctx() ctx: GatewayContext): RateBudget {
    // The operation was admitted, so its budget was read when it spent its cost.
    const budget = ctx.budget!;
    return { limit: budget.limit, remaining: budget.remaining, resetAt: new Date(budget.resetAt) };
  }
}
