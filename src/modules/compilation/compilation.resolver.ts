import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type ConsortiumGrant } from '../../graphql/grant';
import { PageArgs, type Page } from '../../graphql/pagination';
import { Consortium } from '../consortium/consortium.entity';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';
import { abiMethods, openApiDocument, type AbiItem } from './api';
import { Compilation, CompilationPromotion, CompilationStatus } from './compilation.entity';
import { compilationsOf, livePromotionsOf } from './compilation.pages';
import { compilationRunner } from './compilation.runner';
import { createCompilation, promoteCompilation, updateCompilation } from './compilation.service';
import {
  CompilationConnection, ContractApi, CreateCompilationInput, PromotionType, UpdateCompilationInput,
} from './compilation.types';

const ACT_AS = { nullable: true, description: 'The membership to act through (needed when your organization holds several)' };

@Resolver(() => Compilation)
export class CompilationResolver {
  @Query(() => Compilation, { description: 'A compilation of a consortium you belong to (compilation.view)' })
  compilation(@Arg('id', () => ID) _id: string, @Granted() grant: ConsortiumGrant<Compilation>): Compilation {
    return grant.scope.row;
  }

  @Mutation(() => Compilation, {
    description: 'Store a contract as PENDING and return at once; it is compiled in the background (compilation.create)',
  })
  createCompilation(
    @Arg('input', () => CreateCompilationInput) input: CreateCompilationInput,
    @Granted() grant: ConsortiumGrant,
    @Ctx() ctx: GatewayContext,
  ) {
    return createCompilation(ctx, grant, input);
  }

  @Mutation(() => Compilation, {
    description: 'Edit a contract: in place and recompiled, or, once promoted, as a new PENDING version (compilation.update)',
  })
  updateCompilation(
    @Arg('id', () => ID) _id: string,
    @Arg('input', () => UpdateCompilationInput) input: UpdateCompilationInput,
    @Granted() grant: ConsortiumGrant<Compilation>,
    @Ctx() ctx: GatewayContext,
  ) {
    return updateCompilation(ctx, grant, input);
  }

  @Mutation(() => PromotionType, { description: 'Make a COMPILED contract available on an environment (compilation.promote)' })
  promoteCompilation(
    @Arg('id', () => ID) _id: string,
    @Arg('environmentId', () => ID) environmentId: string,
    @Arg('membershipId', () => ID, ACT_AS) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Compilation>,
    @Ctx() ctx: GatewayContext,
  ): Promise<CompilationPromotion> {
    return promoteCompilation(ctx, grant, environmentId);
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description:
      'While PENDING and waiting because its organization already has COMPILE_MAX_PER_ORG compilations compiling: ' +
      'its place in that organization\'s queue (1 = next). Null once it compiles or is done',
  })
  queuePosition(@Root() c: Compilation, @Ctx() ctx: GatewayContext): number | null {
    return c.status === CompilationStatus.PENDING ? compilationRunner(ctx.app).queuePosition(c.id) : null;
  }

  @FieldResolver(() => Consortium)
  consortium(@Root() c: Compilation, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Consortium, c.consortium.id);
  }

  @FieldResolver(() => Compilation, { nullable: true, description: 'The version this one was made from' })
  previousVersion(@Root() c: Compilation, @Ctx() ctx: GatewayContext) {
    return c.previousVersion ? ctx.loaders.row(Compilation, c.previousVersion.id) : null;
  }

  @FieldResolver(() => Membership, { nullable: true })
  createdBy(@Root() c: Compilation, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Membership, c.createdBy.id);
  }

  @FieldResolver(() => [PromotionType], { description: 'The live environments this compilation is promoted to' })
  promotions(@Root() c: Compilation, @Ctx() ctx: GatewayContext): Promise<CompilationPromotion[]> {
    return livePromotionsOf(ctx, c.id);
  }

  // The large columns are read only when asked for (Loaders.deferred).
  @FieldResolver()
  source(@Root() c: Compilation, @Ctx() ctx: GatewayContext): Promise<string> {
    return ctx.loaders.deferred(Compilation, c, 'source');
  }

  @FieldResolver()
  bytecode(@Root() c: Compilation, @Ctx() ctx: GatewayContext): Promise<string | null | undefined> {
    return ctx.loaders.deferred(Compilation, c, 'bytecode');
  }

  @FieldResolver()
  deployedBytecode(@Root() c: Compilation, @Ctx() ctx: GatewayContext): Promise<string | null | undefined> {
    return ctx.loaders.deferred(Compilation, c, 'deployedBytecode');
  }

  @FieldResolver()
  abi(@Root() c: Compilation, @Ctx() ctx: GatewayContext): Promise<unknown[] | null | undefined> {
    return ctx.loaders.deferred(Compilation, c, 'abi');
  }

  @FieldResolver()
  errors(@Root() c: Compilation, @Ctx() ctx: GatewayContext): Promise<string[] | null | undefined> {
    return ctx.loaders.deferred(Compilation, c, 'errors');
  }

  @FieldResolver(() => ContractApi, { nullable: true, description: 'Callable methods and an OpenAPI document; null unless COMPILED' })
  async api(@Root() c: Compilation, @Ctx() ctx: GatewayContext): Promise<ContractApi | null> {
    if (c.status !== CompilationStatus.COMPILED) return null;
    const abi = (await ctx.loaders.deferred(Compilation, c, 'abi')) as AbiItem[] | null | undefined;
    if (!abi) return null;
    return {
      methods: abiMethods(abi),
      openApi: openApiDocument(abi, {
        title: c.contractName ? `${c.name} (${c.contractName})` : c.name,
        version: String(c.version),
        basePath: `/compilations/${c.id}`,
        description: `Generated from the ABI of compilation ${c.id}`,
      }),
    };
  }
}

@Resolver(() => PromotionType)
export class PromotionResolver {
  @FieldResolver(() => Environment)
  environment(@Root() p: CompilationPromotion, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Environment, p.environment.id);
  }

  @FieldResolver(() => Membership, { description: 'The membership that promoted it' })
  promotedBy(@Root() p: CompilationPromotion, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Membership, p.promotedBy.id);
  }

  @FieldResolver(() => Compilation)
  compilation(@Root() p: CompilationPromotion, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Compilation, p.compilation.id);
  }
}

/** Consortium.compilations lives here, beside the compilations it lists. */
@Resolver(() => Consortium)
export class ConsortiumCompilationsResolver {
  @FieldResolver(() => CompilationConnection, { description: 'Shared smart contracts, every version, oldest first (compilation.view)' })
  compilations(
    @Root() consortium: Consortium,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Page<Compilation>> {
    return compilationsOf(ctx, consortium.id, page, info);
  }
}
