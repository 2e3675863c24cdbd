import { organizationAction } from '../../graphql/rules';
import type { GatewayModule } from '../../graphql/module';
import { ServiceAccountResolver } from './service-account.resolver';

const manage = organizationAction('organization.serviceAccounts.manage');

/** Layer A: an organization's machine identities (service accounts of partner programs). */
export const serviceAccountModule: GatewayModule = {
  name: 'service-account',
  resolvers: [ServiceAccountResolver],
  rules: {
    Query: { serviceAccounts: organizationAction('organization.serviceAccounts.list') },
    Mutation: {
      // The organization named by the input, when named, must be the caller's own (else NOT_FOUND).
      registerServiceAccount: organizationAction('organization.serviceAccounts.manage', (_parent, args) =>
        args.input?.organizationId == null ? undefined : String(args.input.organizationId),
      ),
      // The service finds the account in the caller's own organization only (else NOT_FOUND).
      suspendServiceAccount: manage,
      reactivateServiceAccount: manage,
      deleteServiceAccount: manage,
    },
  },
};
