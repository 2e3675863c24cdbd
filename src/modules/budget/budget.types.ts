import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: "The caller's cost budget: points per minute, spent by every operation's estimated cost" })
export class RateBudget {
  @Field(() => Int, { description: 'Points per minute (RATE_BUDGET_PER_MINUTE, or RATE_BUDGET_ANONYMOUS_PER_MINUTE without a token)' })
  limit!: number;

  @Field(() => Int, { description: 'Points left this minute, after this operation' })
  remaining!: number;

  @Field(() => Date, { description: 'When the budget is whole again' })
  resetAt!: Date;
}
