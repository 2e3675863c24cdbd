// The benchmark's authorization-off twin: the same gateway as `npm start`, built by the same
// composition root, with a policy core that permits every action and a rights source that does
// not read the caller's rights with the principal. Shield rules still resolve their scopes and
// hand grants to the resolvers, so the difference to the real gateway is the cost of the
// decisions and of the rights read they need. It exists only here: nothing in src/ can switch
// them off.
//
// The rights are still read, once per request, where a grant carries the caller's membership in
// a consortium (Acting.membership): resolvers write that membership's id (created by, invited
// by, the event's actor), and which consortia exist for the caller at all (visibility, the
// consortium lists) is read from the same rows. Inventing them would answer other data than the
// real gateway; making the membership optional or lazy would change the domain's grant for a
// benchmark. Requests that decide nothing in a consortium (me, me { organization }) read none.
import 'reflect-metadata';
import { RIGHTS_WHEN_NEEDED, type PolicyCore } from '../src/auth/authz';
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
  const app = await startApp(config, log, { policy: PERMIT_ALL, rights: RIGHTS_WHEN_NEEDED });
  log.warn({ url: app.gateway.url }, 'permit-all gateway (benchmark only): every authorization decision allows');
  const stop = () => void app.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
