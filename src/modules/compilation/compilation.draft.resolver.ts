import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type ConsortiumGrant } from '../../graphql/grant';
import { compileDraft } from './compilation.draft';
import { CompilationDraft, CompileDraftInput } from './compilation.types';

@Resolver(() => CompilationDraft)
export class CompilationDraftResolver {
  @Query(() => CompilationDraft, {
    description:
      'Compile a source without storing it (compilation.draft, Cloud IDE): diagnostics with line and column, and an ABI ' +
      "preview. Answers of the same source and compiler come from a cache; beyond COMPILE_MAX_PER_ORG drafts of one's " +
      'organization at once, RATE_LIMITED',
  })
  compileDraft(
    @Arg('input', () => CompileDraftInput) input: CompileDraftInput,
    @Granted() grant: ConsortiumGrant<null>,
    @Ctx() ctx: GatewayContext,
  ): Promise<CompilationDraft> {
    return compileDraft(ctx, grant, input);
  }
}
