import type { GatewayModule } from '../../graphql/module';
import { consortiumAction } from '../../graphql/rules';
import { compilationNamed, consortiumNamed, parentConsortium } from '../../graphql/scopes';
import { CompilationDraftResolver } from './compilation.draft.resolver';
import { CompilationResolver, ConsortiumCompilationsResolver, PromotionResolver } from './compilation.resolver';
import { DRAFTS, DraftCompiler } from './compilation.draft';
import { Compilation } from './compilation.entity';
import { startCompilationRunner, stopCompilationRunner } from './compilation.runner';

/** Shared smart-contract compilations. */
export const compilationModule: GatewayModule = {
  name: 'compilation',
  resolvers: [CompilationResolver, PromotionResolver, ConsortiumCompilationsResolver, CompilationDraftResolver],
  rules: {
    Query: {
      compilation: consortiumAction('compilation.view', compilationNamed(null)),
      compileDraft: consortiumAction('compilation.draft', consortiumNamed('input.consortiumId', 'input.membershipId')),
    },
    Mutation: {
      createCompilation: consortiumAction('compilation.create', consortiumNamed('input.consortiumId', 'input.membershipId')),
      updateCompilation: consortiumAction('compilation.update', compilationNamed('input.membershipId')),
      promoteCompilation: consortiumAction('compilation.promote', compilationNamed('membershipId')),
    },
    Consortium: {
      compilations: consortiumAction('compilation.view', parentConsortium),
    },
  },
  // The resolver's read, for the planned read path: a consortium's compilations (compilationsOf).
  reads: { Consortium: { compilations: { kind: 'page', entity: Compilation, foreignKey: 'consortium', args: ['first'] } } },
  async start(app) {
    await startCompilationRunner(app);
    app.registry.set(DRAFTS, new DraftCompiler(app.config.compiler.maxPerOrganization));
  },
  async stop(app) {
    app.registry.delete(DRAFTS);
    await stopCompilationRunner(app);
  },
};
