import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type ConsortiumGrant } from '../../graphql/grant';
import { childPage, emptyPage, PageArgs, type Page } from '../../graphql/pagination';
import { Consortium } from '../consortium/consortium.entity';
import { Membership } from '../membership/membership.entity';
import { Node } from '../node/node.entity';
import { connectionProfile } from './connection-profile';
import { Environment, EnvironmentStatus } from './environment.entity';
import { createEnvironment, deleteEnvironment, securityOf, updateEnvironment, updateEnvironmentSecurity, upgradeEnvironment } from './environment.service';
import {
  ConnectionProfile, CreateEnvironmentInput, EnvironmentConnection, EnvironmentSecurity, EnvironmentSecurityInput, NodeConnection, UpdateEnvironmentInput,
} from './environment.types';

const ACT_AS = { nullable: true, description: 'The membership to act through (needed when your organization holds several)' };

@Resolver(() => Environment)
export class EnvironmentResolver {
  @Query(() => Environment, { description: 'An environment of a consortium you belong to (environment.view)' })
  environment(@Arg('id', () => ID) _id: string, @Granted() grant: ConsortiumGrant<Environment>): Environment {
    return grant.scope.row;
  }

  @Mutation(() => Environment, { description: 'Create a blockchain with its own certificate authority (environment.create)' })
  createEnvironment(
    @Arg('input', () => CreateEnvironmentInput) input: CreateEnvironmentInput,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ) {
    return createEnvironment(ctx, grant, input);
  }

  @Mutation(() => Environment, { description: 'Rename or change the signer limit (environment.update)' })
  updateEnvironment(
    @Arg('id', () => ID) _id: string,
    @Arg('input', () => UpdateEnvironmentInput) input: UpdateEnvironmentInput,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ) {
    return updateEnvironment(ctx, grant, input);
  }

  @Mutation(() => Environment, { description: 'Upgrade to a strictly newer release of the same client (environment.update)' })
  upgradeEnvironment(
    @Arg('id', () => ID) _id: string,
    @Arg('release', () => String) release: string,
    @Arg('membershipId', () => ID, ACT_AS) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ) {
    return upgradeEnvironment(ctx, grant, release);
  }

  @Mutation(() => Environment, {
    description: 'Delete an environment: its nodes are removed (freeing licenses), its certificates revoked (environment.delete)',
  })
  deleteEnvironment(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, ACT_AS) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ) {
    return deleteEnvironment(ctx, grant);
  }

  /** Read only when asked for (Loaders.deferred). */
  @FieldResolver()
  caCertificatePem(@Root() env: Environment, @Ctx() ctx: GatewayContext): Promise<string> {
    return ctx.loaders.deferred(Environment, env, 'caCertificatePem');
  }

  @FieldResolver(() => Consortium)
  consortium(@Root() env: Environment, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Consortium, env.consortium.id);
  }

  @FieldResolver(() => Membership, { nullable: true, description: 'The membership that created the environment' })
  createdBy(@Root() env: Environment, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Membership, env.createdBy.id);
  }

  @FieldResolver(() => NodeConnection, { description: 'The nodes of the environment, oldest first' })
  async nodes(
    @Root() env: Environment,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<Node>> {
    if (env.status !== LIVE_ENVIRONMENTS.status) return emptyPage();
    // Each node's membership comes in the same statement: resolving it never waits on a batch
    // of its own, whichever of the consortium's lists arrives first.
    return childPage(ctx, Node, 'environment', { include: ['membership'] }, env.id, page, info);
  }

  @Mutation(() => Environment, {
    description:
      "Replace the client allow-list and TLS policy of the environment's node endpoints (environment.security.update: an " +
      'account OWNER or ADMIN of an ACTIVE membership that may environment.update; no network role grants it)',
  })
  updateEnvironmentSecurity(
    @Arg('id', () => ID) _id: string,
    @Arg('input', () => EnvironmentSecurityInput) input: EnvironmentSecurityInput,
    @Arg('membershipId', () => ID, ACT_AS) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Environment> {
    return updateEnvironmentSecurity(ctx, grant, input);
  }

  @FieldResolver(() => EnvironmentSecurity, { description: 'The allow-list and TLS policy of the node endpoints' })
  security(@Root() env: Environment): EnvironmentSecurity {
    return securityOf(env);
  }

  @FieldResolver(() => ConnectionProfile, { description: '“Download the SDK” for your acting membership (environment.view)' })
  connectionProfile(
    @Arg('membershipId', () => ID, ACT_AS) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionProfile> {
    return connectionProfile(ctx, grant);
  }
}

/** What a consortium's list of environments shows: the live ones (deleted ones are gone from queries). */
export const LIVE_ENVIRONMENTS = { status: EnvironmentStatus.LIVE } as const;

/** Consortium.environments lives here, beside the environments it lists. */
@Resolver(() => Consortium)
export class ConsortiumEnvironmentsResolver {
  @FieldResolver(() => EnvironmentConnection, { description: 'The consortium’s live environments, oldest first (environment.view)' })
  environments(
    @Root() consortium: Consortium,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<Environment>> {
    return childPage(ctx, Environment, 'consortium', { where: LIVE_ENVIRONMENTS }, consortium.id, page, info);
  }
}
