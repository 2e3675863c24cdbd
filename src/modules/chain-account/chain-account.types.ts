import { Field, ID, InputType } from 'type-graphql';
import type { Environment } from '../environment/environment.entity';
import type { ChainAccount } from './chain-account.entity';
import { KeyCurve } from './keys';

@InputType()
export class CreateChainAccountInput {
  @Field(() => ID)
  environmentId!: string;

  @Field(() => KeyCurve, { description: 'SECP256K1 (every EVM client here) or ED25519 (checked, but no EVM client takes it)' })
  curve!: KeyCurve;

  @Field(() => String, { description: 'Hex, 0x optional: secp256k1 33 bytes (02/03…) or 65 bytes (04…); Ed25519 32 bytes' })
  publicKey!: string;

  @Field(() => ID, { nullable: true, description: 'The membership that will own the account' })
  membershipId?: string | null;
}

@InputType()
export class RotateChainAccountKeyInput {
  @Field(() => KeyCurve)
  curve!: KeyCurve;

  @Field(() => String, { description: 'The new public key, in the same forms as at creation' })
  publicKey!: string;
}

/** An account with the live environment it belongs to: what the rules of account fields load and grant. */
export interface ChainAccountInEnvironment {
  account: ChainAccount;
  environment: Environment;
}
