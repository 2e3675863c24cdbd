import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type CallerGrant, type ConsortiumGrant, type RequestGrant } from '../../graphql/grant';
import type { Page } from '../../graphql/pagination';
import { Application } from './application.entity';
import { consortiumSummary } from '../consortium/consortium.service';
import { Invitation } from './invitation.entity';
import { Organization } from '../organization/organization.entity';
import * as applications from './application.service';
import { ApplicationConnection, ApplyToJoinInput, ApproveApplicationPayload, ConsortiumApplicationsArgs } from './application.types';
import { ConsortiumSummary } from './membership.types';

@Resolver(() => Application)
export class ApplicationResolver {
  @Query(() => ApplicationConnection, { description: "A consortium's applications, for its members; default the PENDING ones" })
  consortiumApplications(
    @Args(() => ConsortiumApplicationsArgs) args: ConsortiumApplicationsArgs,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<Application>> {
    return applications.consortiumApplications(ctx, grant, args, info);
  }

  @Query(() => Application, { description: "One application, for the applicant's OWNER/ADMIN users and the consortium's members" })
  application(@Arg('id', () => ID) _id: string, @Granted() grant: RequestGrant<Application>): Application {
    return grant.scope.row;
  }

  @Mutation(() => Application, { description: 'Apply to join a consortium; an ADMINISTRATOR decides' })
  applyToJoin(
    @Arg('input', () => ApplyToJoinInput) input: ApplyToJoinInput,
    @Granted() caller: CallerGrant,
    @Ctx() ctx: GatewayContext,
  ): Promise<Application> {
    return applications.applyToJoin(ctx, caller, input);
  }

  @Mutation(() => Application, { description: "Withdraw your organization's pending application" })
  withdrawApplication(@Arg('id', () => ID) id: string, @Granted() caller: CallerGrant, @Ctx() ctx: GatewayContext): Promise<Application> {
    return applications.withdrawApplication(ctx, caller, id);
  }

  @Mutation(() => ApproveApplicationPayload, { description: 'Approve an application: the organization gets an ACTIVE MEMBER membership' })
  approveApplication(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, { nullable: true }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Application>,
    @Ctx() ctx: GatewayContext,
  ): Promise<ApproveApplicationPayload> {
    return applications.approveApplication(ctx, grant);
  }

  @Mutation(() => Application, { description: 'Reject an application with a reason the applicant sees' })
  rejectApplication(
    @Arg('id', () => ID) _id: string,
    @Arg('reason', () => String) reason: string,
    @Arg('membershipId', () => ID, { nullable: true }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Application>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Application> {
    return applications.rejectApplication(ctx, grant, reason);
  }

  @FieldResolver(() => Organization, { description: 'The applicant' })
  organization(@Root() application: Application, @Ctx() ctx: GatewayContext): Organization | Promise<Organization> {
    return ctx.loaders.required(Organization, application.organization.id);
  }

  @FieldResolver(() => ConsortiumSummary, { description: 'Only id and name: the applicant is no member yet' })
  consortium(@Root() application: Application, @Ctx() ctx: GatewayContext): ConsortiumSummary | Promise<ConsortiumSummary> {
    return consortiumSummary(ctx, application.consortium.id);
  }

  @FieldResolver(() => Invitation, { nullable: true, description: 'The accepted invitation this application comes from, if any' })
  invitation(@Root() application: Application, @Ctx() ctx: GatewayContext): Invitation | Promise<Invitation | null> | null {
    return application.invitation ? ctx.loaders.row(Invitation, application.invitation.id) : null;
  }
}
