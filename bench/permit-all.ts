// The benchmark's authorization-off twin: the same gateway as `npm start`, built by the same
// composition root, with authorization taken out where it decides. It exists only here: nothing
// in src/ can switch authorization off.
//
// - Its policy core permits every action (PERMIT_ALL).
// - Its Authz (PermitAllAuthz) decides without the caller's rights: a consortium is visible, an
//   action permitted, a frozen organization not refused, and no rights are read for it. The
//   grant of a consortium action carries the consortium, the user and the organization; its
//   acting membership and effective role come from the rights, which it did not read, so they
//   throw when touched. A request whose resolvers need them (a change records its acting
//   membership) is not one this twin can answer, and says so; the benchmark's requests are
//   queries that do not, and the benchmark checks that both answer them byte for byte alike.
// - It reads the caller's rights only where they are the answer itself (`myPermissions`, the
//   caller's own memberships, the consortia it belongs to), and there as the gateway does: with
//   the principal, in the same statement. An operation that did not ask for them the last time
//   it ran (the pipeline remembers) reads the user alone: for the twin that is every request
//   that only decides.
//
// So the difference to the real gateway is the whole cost of authorization: reading the rights
// and deciding.
import 'reflect-metadata';
import type { Acting } from '../src/auth/acting';
import { Authz, type ConsortiumScopeInput, type PolicyCore } from '../src/auth/authz';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { notFound } from '../src/errors';
import { ALLOW, type Decision } from '../src/governance';
import { createLogger } from '../src/logger';

/** Every decision allowed. */
export const PERMIT_ALL: PolicyCore = {
  decideOrganization: () => ALLOW,
  decideConsortium: () => ALLOW,
  decideTowardsConsortium: () => ALLOW,
  decideOrganizationUnfrozen: () => ALLOW,
  decideAccountRoleConsortium: () => ALLOW,
};

/** What the twin's grants carry instead of the acting membership and role it never read. */
function unread(what: string): never {
  throw new Error(`The permit-all twin decides without reading the caller's rights: this request needs ${what}`);
}

/** Authz that decides nothing and reads no rights to decide (see the file's comment). */
export class PermitAllAuthz extends Authz {
  override async mayView(): Promise<boolean> {
    this.requireUser();
    return true;
  }

  override async requireVisible(): Promise<void> {
    this.requireUser();
  }

  override async requireUnfrozen(): Promise<void> {}

  override async requireTowards(): Promise<ReturnType<Authz['caller']> & { organizationId: string }> {
    return { ...this.caller(), organizationId: this.requireOrganizationId() };
  }

  override async decideConsortium(): Promise<Decision> {
    this.requireUser();
    return ALLOW;
  }

  override async requireConsortium(_action: unknown, consortiumId: string, scope: ConsortiumScopeInput = {}): Promise<Acting> {
    return this.actingUnread(consortiumId, scope);
  }

  override async requireAccountRoleConsortium(_action: unknown, consortiumId: string, scope: ConsortiumScopeInput = {}): Promise<Acting> {
    return this.actingUnread(consortiumId, scope);
  }

  private actingUnread(consortiumId: string, scope: ConsortiumScopeInput): Acting {
    const user = this.requireUser();
    const organizationId = this.organizationId;
    const subject = scope.subject ?? { type: 'Consortium', id: consortiumId };
    // An acting organization is what a grant names; without one there is nothing to act for.
    if (!organizationId) throw notFound(subject.type, subject.id);
    return Object.freeze({
      consortiumId,
      user,
      organizationId,
      get membership(): Acting['membership'] {
        return unread('the acting membership');
      },
      get effectiveRole(): Acting['effectiveRole'] {
        return unread('the effective role');
      },
    });
  }
}

/** How the benchmark (and the twin's test) starts the twin through the composition root. */
export const PERMIT_ALL_OPTIONS = { policy: PERMIT_ALL, authz: PermitAllAuthz } as const;

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.production) throw new Error('The permit-all twin is a benchmark tool and never runs with NODE_ENV=production');
  const log = createLogger(config.logLevel);
  const app = await startApp(config, log, PERMIT_ALL_OPTIONS);
  log.warn({ url: app.gateway.url }, 'permit-all gateway (benchmark only): no authorization decision is made');
  const stop = () => void app.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
