import type { GatewayModule } from '../../graphql/module';
import { consortiumAction, type ScopeOf } from '../../graphql/rules';
import { forgetCaKey, registerCaKey } from '../certificate/ca-key';
import { CertificateResolver } from '../certificate/certificate.resolver';
import { Node } from '../node/node.entity';
import { NodeResolver } from '../node/node.resolver';
import { createActionFor } from '../node/node.service';
import { ConsortiumEnvironmentsResolver, EnvironmentResolver } from './environment.resolver';
import { environmentScope, liveEnvironmentOrNull, loadById } from './scope';

// Rule scopes: the consortium (and acting membership, and owner) of each field's target.
const byEnvId = environmentScope((a) => a.id);
const byEnvIdWithInput = environmentScope((a) => a.id, (a) => a.input?.membershipId);
const byInputEnv = environmentScope((a) => a.input?.environmentId, (a) => a.input?.membershipId);
const byEnvironmentId = environmentScope((a) => a.environmentId);
const byInputConsortium: ScopeOf = async (_p, a) => ({ consortiumId: a.input?.consortiumId, membershipId: a.input?.membershipId ?? null });
const ofParentConsortium: ScopeOf = async (parent) => ({ consortiumId: parent.id });
const ofParentEnvironment: ScopeOf = async (parent, a) => ({ consortiumId: parent.consortium.id, membershipId: a.membershipId ?? null });

/** A node's consortium through its environment; for deletes, also its owner ("own only" cells). */
const byNode =
  (withOwner: boolean): ScopeOf =>
  async (_p, a, ctx) => {
    const node = await loadById(ctx, Node, a.id);
    const env = node ? await liveEnvironmentOrNull(ctx, node.environment.id) : null;
    if (!node || !env) return null;
    return {
      consortiumId: env.consortium.id,
      membershipId: a.membershipId ?? null,
      ...(withOwner ? { ownerMembershipId: node.membership.id } : {}),
    };
  };

/** Environments, nodes and certificates. */
export const environmentModule: GatewayModule = {
  name: 'environment',
  resolvers: [EnvironmentResolver, ConsortiumEnvironmentsResolver, NodeResolver, CertificateResolver],
  rules: {
    Query: {
      environment: consortiumAction('environment.view', byEnvId),
      node: consortiumAction('environment.view', byNode(false)),
      certificate: consortiumAction('certificate.download', byEnvironmentId),
    },
    Mutation: {
      createEnvironment: consortiumAction('environment.create', byInputConsortium),
      updateEnvironment: consortiumAction('environment.update', byEnvIdWithInput),
      upgradeEnvironment: consortiumAction('environment.update', byEnvId),
      deleteEnvironment: consortiumAction('environment.delete', byEnvId),
      createNode: consortiumAction((a) => createActionFor(a.input?.role), byInputEnv),
      deleteNode: consortiumAction('node.delete', byNode(true)),
      uploadCertificate: consortiumAction('certificate.upload', byInputEnv),
      resetCertificate: consortiumAction('certificate.reset', byEnvironmentId),
    },
    // Object fields that cross into consortium data: guarded wherever the parent came from.
    Consortium: {
      environments: consortiumAction('environment.view', ofParentConsortium),
    },
    Environment: {
      connectionProfile: consortiumAction('environment.view', ofParentEnvironment),
    },
  },
  start(app) {
    registerCaKey(app);
  },
  stop(app) {
    forgetCaKey(app);
  },
};
