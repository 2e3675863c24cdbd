// The benchmark's authorization-off twin: the same gateway as `npm start`, built by the same
// composition root, with a policy core that permits every action. Shield rules still resolve
// their scopes and hand grants to the resolvers, so the difference to the real gateway is the
// cost of the decisions. It exists only here: nothing in src/ can switch them off.
//
// The caller's rights are read exactly as the real gateway reads them: with the principal, in
// the same statement, for an operation that asks for them (every consortium-scoped request:
// the grant carries the caller's membership in the consortium, which resolvers write as created
// by, invited by or an event's actor, and which consortia exist for the caller at all follows
// from the same rows), and not at all for one that does not (me, me { organization }). Inventing
// them would answer other data than the real gateway; making the membership optional or lazy
// would change the domain's grant for a benchmark. Reading them in a statement of their own,
// as an earlier twin did, cost more than deciding and made authorization look free.
import 'reflect-metadata';
import type { PolicyCore } from '../src/auth/authz';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { ALLOW } from '../src/governance';
import { createLogger } from '../src/logger';

/** Every decision allowed. */
export const PERMIT_ALL: PolicyCore = {
  decideOrganization: () => ALLOW,
  decideConsortium: () => ALLOW,
  decideTowardsConsortium: () => ALLOW,
  decideOrganizationUnfrozen: () => ALLOW,
  decideAccountRoleConsortium: () => ALLOW,
};

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.production) throw new Error('The permit-all twin is a benchmark tool and never runs with NODE_ENV=production');
  const log = createLogger(config.logLevel);
  const app = await startApp(config, log, { policy: PERMIT_ALL });
  log.warn({ url: app.gateway.url }, 'permit-all gateway (benchmark only): every authorization decision allows');
  const stop = () => void app.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
