import { registerEnumType } from 'type-graphql';
import { ApplicationStatus } from '../modules/membership/application.entity';
import { CertificateStatus } from '../modules/certificate/certificate.entity';
import { CompilationStatus } from '../modules/compilation/compilation.entity';
import { ChainClient, Consensus } from '../modules/environment/catalog';
import { EnvironmentStatus } from '../modules/environment/environment.entity';
import { MembershipCertificateStatus } from '../modules/environment/environment.types';
import { EventKind } from '../modules/event/event.entity';
import { InvitationStatus } from '../modules/membership/invitation.entity';
import { NodeRole, NodeStatus } from '../modules/node/node.entity';
import { ServiceAccountStatus } from '../modules/service-account/service-account.entity';
import { KeyCurve } from '../modules/chain-account/keys';
import { TlsMinVersion } from '../modules/environment/security-policy';
import {
  AccountRole, ChainAccountStatus, ConsortiumRole, EffectiveRole, MembershipStatus, NetworkRole, NodeSize, Permission, Plan, ProposalKind,
  ProposalStatus, TallyOutcome, ThresholdComparator, VoteChoice,
} from '../governance';

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
registerEnumType(NodeSize, { name: 'NodeSize', description: 'How many licenses a running node takes: SMALL 1, MEDIUM 2, LARGE 4' });
registerEnumType(CertificateStatus, { name: 'CertificateStatus' });
registerEnumType(CompilationStatus, { name: 'CompilationStatus' });
registerEnumType(EventKind, { name: 'EventKind' });
registerEnumType(ServiceAccountStatus, { name: 'ServiceAccountStatus', description: 'A service account’s tokens are accepted only while it is ACTIVE' });
registerEnumType(ChainClient, { name: 'ChainClient' });
registerEnumType(Consensus, { name: 'Consensus' });
registerEnumType(MembershipCertificateStatus, { name: 'MembershipCertificateStatus', description: 'A membership’s certificate in one environment' });
registerEnumType(ProposalKind, { name: 'ProposalKind', description: 'A kind of change a consortium may decide by vote (§8.3)' });
registerEnumType(ProposalStatus, { name: 'ProposalStatus', description: 'IN_PROGRESS until decided; an approved proposal is EXECUTED or ACTION_FAILED' });
registerEnumType(ThresholdComparator, { name: 'ThresholdComparator' });
registerEnumType(VoteChoice, { name: 'VoteChoice' });
registerEnumType(TallyOutcome, { name: 'TallyOutcome', description: 'What the votes say so far' });
registerEnumType(KeyCurve, { name: 'KeyCurve', description: 'The curve of a chain account key' });
registerEnumType(ChainAccountStatus, { name: 'ChainAccountStatus' });
registerEnumType(TlsMinVersion, { name: 'TlsMinVersion', description: 'The lowest TLS version node endpoints accept' });
