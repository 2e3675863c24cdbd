import type { GatewayModule } from '../graphql/module';
import { budgetModule } from './budget/budget.module';
import { chainAccountModule } from './chain-account/chain-account.module';
import { certificateModule } from './certificate/certificate.module';
import { compilationModule } from './compilation/compilation.module';
import { consortiumModule } from './consortium/consortium.module';
import { environmentModule } from './environment/environment.module';
import { eventModule } from './event/event.module';
import { membershipModule } from './membership/membership.module';
import { networkRoleModule } from './network-role/network-role.module';
import { nodeModule } from './node/node.module';
import { organizationModule } from './organization/organization.module';
import { proposalModule } from './proposal/proposal.module';
import { serviceAccountModule } from './service-account/service-account.module';
import { userModule } from './user/user.module';

/** Every feature module of the gateway, in the order they start. */
export const MODULES: GatewayModule[] = [
  userModule,
  organizationModule,
  serviceAccountModule,
  consortiumModule,
  networkRoleModule,
  membershipModule,
  proposalModule,
  eventModule,
  certificateModule,
  environmentModule,
  nodeModule,
  chainAccountModule,
  compilationModule,
  budgetModule,
];
