import { authenticated, organizationAction } from '../../graphql/rules';
import type { GatewayModule } from '../../graphql/module';
import { OrganizationResolver } from './organization.resolver';

// Every Layer A rule names the organization it acts on; Authz answers NOT_FOUND when that is not
// the caller's own (an empty id never matches), so a field reached through another organization
// (e.g. a membership's organization) is refused as if it did not exist.
type Target = (parent: any, args: Record<string, any>) => string;
/** The organization named by an argument of a root field. */
export const organizationArg =
  (name: 'id' | 'organizationId'): Target =>
  (_parent, args) =>
    String(args[name] ?? '');
/** The Organization whose field is resolved. */
export const parentOrganization: Target = (parent) => String(parent?.id ?? '');

/** Layer A: organizations, their users, billing and licenses. */
export const organizationModule: GatewayModule = {
  name: 'organization',
  resolvers: [OrganizationResolver],
  rules: {
    Query: {
      organization: organizationAction('organization.view', organizationArg('id')),
    },
    Mutation: {
      // Anyone signed in; the service refuses (CONFLICT) a user who already belongs to one.
      createOrganization: authenticated,
      renameOrganization: organizationAction('organization.rename', organizationArg('id')),
      updateBilling: organizationAction('organization.billing.update', organizationArg('id')),
      purchaseLicenses: organizationAction('organization.licenses.manage', organizationArg('organizationId')),
      releaseLicenses: organizationAction('organization.licenses.manage', organizationArg('organizationId')),
    },
    Organization: {
      billing: organizationAction('organization.billing.view', parentOrganization),
      users: organizationAction('organization.users.list', parentOrganization),
      // Open to every role of the organization (a GUEST too): the resolver narrows the list to
      // the consortia where a caller without organization.consortia.list holds a network role.
      consortia: organizationAction('organization.view', parentOrganization),
      // Counts of another organization's licenses are its business, not a member's of a consortium.
      licenses: organizationAction('organization.view', parentOrganization),
      licensesInUse: organizationAction('organization.view', parentOrganization),
    },
  },
};
