import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { certificateStatusLoader } from '../certificate/certificate.service';
import { nodeEndpoints } from '../node/endpoints';
import { Node, NodeStatus } from '../node/node.entity';
import { Environment } from './environment.entity';
import { securityOf } from './environment.service';
import type { ConnectionProfile } from './environment.types';

/**
 * "Download the SDK" for the caller's acting membership (environment.view): chain parameters,
 * the endpoints of the RUNNING nodes, the membership's certificate status and the CA
 * certificate. Every part is loader-batched, so a list of environments costs no more statements.
 */
export async function connectionProfile(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Environment>): Promise<ConnectionProfile> {
  const env = scope.row;
  const member = acting.membership.id;
  const [nodes, certificateStatus, caCertificatePem] = await Promise.all([
    runningNodes(ctx).load(env.id),
    certificateStatusLoader(ctx).load(`${env.id}|${member}`),
    ctx.loaders.deferred(Environment, env, 'caCertificatePem'),
  ]);
  return {
    environmentId: env.id,
    membershipId: member,
    chainId: env.chainId,
    client: env.client,
    consensus: env.consensus,
    release: env.release,
    nodes: nodes.map((n) => ({ nodeId: n.id, name: n.name, role: n.role, ...nodeEndpoints(n) })),
    certificateStatus,
    caCertificatePem,
    security: securityOf(env),
  };
}

/** The RUNNING nodes of many environments at once. */
function runningNodes(ctx: GatewayContext) {
  return ctx.loaders.listBy(Node, 'environment', { where: { status: NodeStatus.RUNNING } });
}
