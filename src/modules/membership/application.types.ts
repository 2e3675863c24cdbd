import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/pagination';
import { Application, ApplicationStatus } from './application.entity';
import { Membership } from './membership.entity';

@InputType({ description: 'A request to join a consortium, decided by an administrator' })
export class ApplyToJoinInput {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => String, { nullable: true, description: 'A note to the administrators, at most 2000 characters' })
  message?: string | null;

  @Field(() => String, { nullable: true, description: "The membership's display name once approved; default: the organization's name" })
  displayName?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'An approved application and the membership it created' })
export class ApproveApplicationPayload {
  @Field(() => Application)
  application!: Application;

  @Field(() => Membership)
  membership!: Membership;
}

@ArgsType()
export class ConsortiumApplicationsArgs extends PageArgs {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => ApplicationStatus, { nullable: true, description: 'Default PENDING' })
  status?: ApplicationStatus | null;
}

/** A page of applications. */
export const ApplicationConnection = Connection(Application, 'Application');
