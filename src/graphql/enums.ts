import { registerEnumType } from 'type-graphql';
import { ApplicationStatus } from '../modules/application/application.entity';
import { CertificateStatus } from '../modules/certificate/certificate.entity';
import { CompilationStatus } from '../modules/compilation/compilation.entity';
import { ChainClient, Consensus } from '../modules/environment/catalog';
import { EnvironmentStatus } from '../modules/environment/environment.entity';
import { EventKind } from '../modules/event/event.entity';
import { InvitationStatus } from '../modules/invitation/invitation.entity';
import { NodeRole, NodeStatus } from '../modules/node/node.entity';
import { AccountRole, ConsortiumRole, EffectiveRole, MembershipStatus, NetworkRole, Permission, Plan } from '../governance';

// The policy core's vocabulary, exposed under the same names to clients.
registerEnumType(AccountRole, { name: 'AccountRole', description: 'A user’s role inside their own organization' });
registerEnumType(NetworkRole, { name: 'NetworkRole', description: 'A user’s role inside one consortium’s network' });
registerEnumType(EffectiveRole, { name: 'EffectiveRole', description: 'Account and network role combined for one consortium' });
registerEnumType(ConsortiumRole, { name: 'ConsortiumRole' });
registerEnumType(Permission, { name: 'Permission', description: 'Kaleido permissions a membership may hold' });
registerEnumType(MembershipStatus, { name: 'MembershipStatus' });
registerEnumType(Plan, { name: 'Plan' });
registerEnumType(InvitationStatus, { name: 'InvitationStatus' });
registerEnumType(ApplicationStatus, { name: 'ApplicationStatus' });
registerEnumType(EnvironmentStatus, { name: 'EnvironmentStatus' });
registerEnumType(NodeRole, { name: 'NodeRole' });
registerEnumType(NodeStatus, { name: 'NodeStatus' });
registerEnumType(CertificateStatus, { name: 'CertificateStatus' });
registerEnumType(CompilationStatus, { name: 'CompilationStatus' });
registerEnumType(EventKind, { name: 'EventKind' });
registerEnumType(ChainClient, { name: 'ChainClient' });
registerEnumType(Consensus, { name: 'Consensus' });
