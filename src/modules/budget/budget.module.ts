import type { GatewayModule } from '../../graphql/module';
import { everyone } from '../../graphql/rules';
import { BudgetResolver } from './budget.resolver';

/** The caller's own cost budget: every caller may read theirs, signed in or not. */
export const budgetModule: GatewayModule = {
  name: 'budget',
  resolvers: [BudgetResolver],
  rules: { Query: { rateBudget: everyone } },
};
