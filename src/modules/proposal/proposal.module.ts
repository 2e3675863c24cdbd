import type { GatewayModule } from '../../graphql/module';
import { consortiumAction, organizationAction } from '../../graphql/rules';
import { consortiumNamed, proposalNamed } from '../../graphql/scopes';
import { ProposalResolver } from './proposal.resolver';

const ofInput = consortiumNamed('input.consortiumId', 'input.membershipId');

/** §8.3 governance by vote: the voting policy, proposals, votes (expired by the invitation sweeper's timer). */
export const proposalModule: GatewayModule = {
  name: 'proposal',
  resolvers: [ProposalResolver],
  rules: {
    Query: {
      votingPolicy: consortiumAction('consortium.view', consortiumNamed('consortiumId', null)),
      proposals: consortiumAction('consortium.view', consortiumNamed('consortiumId', null)),
      proposal: consortiumAction('consortium.view', proposalNamed()),
      // The caller's own organization's open votes, in the consortia the caller sees.
      myPendingVotes: organizationAction('organization.view'),
    },
    Mutation: {
      updateVotingPolicy: consortiumAction('votingPolicy.update', ofInput),
      createProposal: consortiumAction('proposal.create', ofInput),
      castVote: consortiumAction('proposal.vote', proposalNamed('proposalId')),
      withdrawProposal: consortiumAction('proposal.create', proposalNamed()),
    },
  },
};
