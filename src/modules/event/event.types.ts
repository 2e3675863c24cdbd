import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Event } from './event.entity';

@ArgsType()
export class EventPageArgs {
  @Field(() => Float, { nullable: true, description: 'Sequence of the last event already read; omit to start at the first' })
  after?: number | null;

  @Field(() => Int, { nullable: true, description: 'At most MAX_PAGE_SIZE (default 100); default 50' })
  first?: number | null;
}

@ObjectType({ simpleResolvers: true })
export class EventPageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Float, { nullable: true, description: 'Sequence of the last event of this page: pass it as `after` for the next one' })
  endSequence!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'A page of the audit trail, ascending by sequence' })
export class EventConnection {
  @Field(() => [Event])
  nodes!: Event[];

  @Field(() => EventPageInfo)
  pageInfo!: EventPageInfo;
}

@ObjectType({ simpleResolvers: true, description: 'The result of recomputing a consortium’s hash chain, event by event' })
export class EventChainVerification {
  @Field(() => Boolean, { description: 'True when every event’s hash and link to its predecessor hold' })
  intact!: boolean;

  @Field(() => Int, { description: 'Events examined (up to and including the first broken one)' })
  checked!: number;

  @Field(() => Float, { nullable: true, description: 'The first event whose hash or link does not hold' })
  firstBrokenSequence!: number | null;

  @Field(() => String, { nullable: true, description: 'Why that event breaks the chain' })
  reason!: string | null;
}

@ArgsType()
export class ConsortiumEventsArgs {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => Float, {
    nullable: true,
    description: 'Sequence of the last event the client saw: replays what followed it, then streams live',
  })
  after?: number | null;
}

@ArgsType()
export class OrganizationEventsArgs {
  @Field(() => Float, {
    nullable: true,
    description: 'Sequence of the last event the client saw: replays what followed it, then streams live',
  })
  after?: number | null;
}
