import { authenticated, organizationAction } from '../../graphql/rules';
import type { GatewayModule } from '../../graphql/module';
import { organizationArg } from '../organization/organization.module';
import { UserResolver } from './user.resolver';

const manageUsers = organizationAction('organization.users.manage', organizationArg('organizationId'));

export const userModule: GatewayModule = {
  name: 'user',
  resolvers: [UserResolver],
  rules: {
    Query: { me: authenticated },
    // The service refines the grid cell: OWNER only to grant or take away OWNER, never the last one.
    Mutation: { inviteUser: manageUsers, removeUser: manageUsers, setAccountRole: manageUsers },
  },
};
