import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ChainAccountStatus } from '../../governance';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type ConsortiumGrant } from '../../graphql/grant';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';
import { ChainAccount } from './chain-account.entity';
import {
  chainAccountsOf, createChainAccount, effectiveStatusOf, rotateChainAccountKey, setChainAccountFrozen,
} from './chain-account.service';
import { CreateChainAccountInput, RotateChainAccountKeyInput, type ChainAccountInEnvironment } from './chain-account.types';

@Resolver(() => ChainAccount)
export class ChainAccountResolver {
  @Query(() => ChainAccount, { description: 'A chain account of an environment you may view (chainAccount.view)' })
  chainAccount(@Arg('id', () => ID) _id: string, @Granted() grant: ConsortiumGrant<ChainAccountInEnvironment>): ChainAccount {
    return grant.scope.row.account;
  }

  @Mutation(() => ChainAccount, {
    description:
      'Register a chain account of the acting membership from a public key (chainAccount.manage). The key is checked ' +
      '(BAD_USER_INPUT: not hex, wrong length, not a point of the curve, unsupported curve); the address is derived ' +
      '(Keccak-256 of the uncompressed secp256k1 key, EIP-55). Every client here is EVM, so an ED25519 key is refused',
  })
  createChainAccount(
    @Arg('input', () => CreateChainAccountInput) input: CreateChainAccountInput,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<ChainAccount> {
    return createChainAccount(ctx, grant, input);
  }

  @Mutation(() => ChainAccount, {
    description:
      "Give an own ACTIVE account a new key (chainAccount.manage). EVM chains allow no recovery key (the address is the key's " +
      'hash): the rotation makes a new account, answered here, and freezes the old one for good (replacedById)',
  })
  rotateChainAccountKey(
    @Arg('id', () => ID) _id: string,
    @Arg('input', () => RotateChainAccountKeyInput) input: RotateChainAccountKeyInput,
    @Arg('membershipId', () => ID, { nullable: true }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<ChainAccountInEnvironment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<ChainAccount> {
    return rotateChainAccountKey(ctx, grant, input);
  }

  @Mutation(() => ChainAccount, { description: 'Freeze an ACTIVE account (chainAccount.manage: own accounts; an administrator any)' })
  freezeChainAccount(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, { nullable: true }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<ChainAccountInEnvironment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<ChainAccount> {
    return setChainAccountFrozen(ctx, grant, true);
  }

  @Mutation(() => ChainAccount, {
    description: 'Unfreeze a FROZEN own account (chainAccount.manage); what an administrator froze only an administrator unfreezes',
  })
  unfreezeChainAccount(
    @Arg('id', () => ID) _id: string,
    @Arg('membershipId', () => ID, { nullable: true }) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<ChainAccountInEnvironment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<ChainAccount> {
    return setChainAccountFrozen(ctx, grant, false);
  }

  @FieldResolver(() => ChainAccountStatus, { description: "FROZEN when frozen, or while its owner's organization is frozen in the consortium" })
  status(@Root() account: ChainAccount, @Ctx() ctx: GatewayContext): Promise<ChainAccountStatus> {
    return effectiveStatusOf(ctx, account);
  }

  @FieldResolver(() => Environment)
  environment(@Root() account: ChainAccount, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Environment, account.environment.id);
  }

  @FieldResolver(() => Membership, { description: 'The membership that owns the account' })
  membership(@Root() account: ChainAccount, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Membership, account.membership.id);
  }
}

@Resolver(() => Environment)
export class EnvironmentChainAccountsResolver {
  @FieldResolver(() => [ChainAccount], { description: 'The chain accounts of the environment, oldest first (chainAccount.view)' })
  chainAccounts(@Root() environment: Environment, @Ctx() ctx: GatewayContext): Promise<ChainAccount[]> {
    return chainAccountsOf(ctx, environment);
  }
}
