import type { GatewayModule } from '../../graphql/module';
import { consortiumAction, type ScopeOf } from '../../graphql/rules';
import { loadById } from '../environment/scope';
import { Compilation } from './compilation.entity';
import { CompilationResolver, ConsortiumCompilationsResolver, PromotionResolver } from './compilation.resolver';
import { startCompilationRunner, stopCompilationRunner } from './compilation.runner';

/** The consortium of the compilation named by `id`; null (the resolver answers NOT_FOUND) when there is none. */
const byCompilation =
  (membershipIdOf: (args: Record<string, any>) => string | null | undefined): ScopeOf =>
  async (_p, args, ctx) => {
    const compilation = await loadById(ctx, Compilation, args.id);
    return compilation ? { consortiumId: compilation.consortium.id, membershipId: membershipIdOf(args) ?? null } : null;
  };
const byInputConsortium: ScopeOf = async (_p, a) => ({ consortiumId: a.input?.consortiumId, membershipId: a.input?.membershipId ?? null });
const ofParentConsortium: ScopeOf = async (parent) => ({ consortiumId: parent.id });

/** Shared smart-contract compilations. */
export const compilationModule: GatewayModule = {
  name: 'compilation',
  resolvers: [CompilationResolver, PromotionResolver, ConsortiumCompilationsResolver],
  rules: {
    Query: {
      compilation: consortiumAction('compilation.view', byCompilation(() => null)),
    },
    Mutation: {
      createCompilation: consortiumAction('compilation.create', byInputConsortium),
      updateCompilation: consortiumAction('compilation.update', byCompilation((a) => a.input?.membershipId)),
      promoteCompilation: consortiumAction('compilation.promote', byCompilation((a) => a.membershipId)),
    },
    Consortium: {
      compilations: consortiumAction('compilation.view', ofParentConsortium),
    },
  },
  async start(app) {
    await startCompilationRunner(app);
  },
  async stop(app) {
    await stopCompilationRunner(app);
  },
};
