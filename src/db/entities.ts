import { Application } from '../modules/membership/application.entity';
import { ChainAccount } from '../modules/chain-account/chain-account.entity';
import { Certificate } from '../modules/certificate/certificate.entity';
import { Compilation, CompilationPromotion } from '../modules/compilation/compilation.entity';
import { Consortium } from '../modules/consortium/consortium.entity';
import { Environment } from '../modules/environment/environment.entity';
import { Event } from '../modules/event/event.entity';
import { Invitation } from '../modules/membership/invitation.entity';
import { Membership } from '../modules/membership/membership.entity';
import { NetworkRoleGrant } from '../modules/network-role/network-role.entity';
import { Node } from '../modules/node/node.entity';
import { Organization } from '../modules/organization/organization.entity';
import { Proposal, ProposalVoter, VotingPolicyRow } from '../modules/proposal/proposal.entity';
import { ServiceAccount } from '../modules/service-account/service-account.entity';
import { User } from '../modules/user/user.entity';

/** Every entity of the model, listed once (no discovery by folder scanning). */
export const ENTITIES = [
  Organization,
  User,
  ServiceAccount,
  Consortium,
  Membership,
  Invitation,
  Application,
  NetworkRoleGrant,
  Environment,
  Node,
  ChainAccount,
  Certificate,
  Compilation,
  CompilationPromotion,
  Event,
  VotingPolicyRow,
  Proposal,
  ProposalVoter,
];
