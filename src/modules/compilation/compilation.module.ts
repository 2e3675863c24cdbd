import type { GatewayModule } from '../../graphql/module';
import { consortiumAction } from '../../graphql/rules';
import { compilationNamed, consortiumNamed, parentConsortium } from '../../graphql/scopes';
import { CompilationResolver, ConsortiumCompilationsResolver, PromotionResolver } from './compilation.resolver';
import { startCompilationRunner, stopCompilationRunner } from './compilation.runner';

/** Shared smart-contract compilations. */
export const compilationModule: GatewayModule = {
  name: 'compilation',
  resolvers: [CompilationResolver, PromotionResolver, ConsortiumCompilationsResolver],
  rules: {
    Query: {
      compilation: consortiumAction('compilation.view', compilationNamed(null)),
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
  async start(app) {
    await startCompilationRunner(app);
  },
  async stop(app) {
    await stopCompilationRunner(app);
  },
};
