import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../graphql/pagination';
import { Compilation } from './compilation.entity';

@InputType()
export class CreateCompilationInput {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => String, { description: '1 to 100 characters; a new name starts at version 1' })
  name!: string;

  @Field(() => String, { description: 'Solidity source, one file; at most MAX_SOURCE_BYTES (default 256 KiB)' })
  source!: string;

  @Field(() => String, { nullable: true, description: 'The contract to build; default: the last deployable contract of the file' })
  contractName?: string | null;

  @Field(() => ID, { nullable: true, description: 'The membership to act through (needed when your organization holds several)' })
  membershipId?: string | null;
}

@InputType()
export class UpdateCompilationInput {
  @Field(() => String, { nullable: true })
  source?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Explicit null: let the compiler pick the last deployable contract' })
  contractName?: string | null;

  @Field(() => ID, { nullable: true })
  membershipId?: string | null;
}

@ObjectType('CompilationPromotion', { simpleResolvers: true, description: 'A compiled contract made available on one environment' })
export class PromotionType {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'One ABI parameter; components are the fields of a tuple' })
export class ContractMethodParam {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  type!: string;

  @Field(() => [ContractMethodParam], { nullable: true })
  components?: ContractMethodParam[];
}

@ObjectType({ simpleResolvers: true, description: 'A callable function of a compiled contract' })
export class ContractMethod {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Route and operation id in the OpenAPI document (name, or name_<selector> when overloaded)' })
  key!: string;

  @Field(() => String, { description: 'Canonical signature, e.g. transfer(address,uint256)' })
  signature!: string;

  @Field(() => String, { description: '0x + the first 4 bytes of keccak-256 of the signature' })
  selector!: string;

  @Field(() => String, { description: 'pure | view | nonpayable | payable' })
  stateMutability!: string;

  @Field(() => String, { description: 'call (view/pure) or transaction' })
  kind!: string;

  @Field(() => [ContractMethodParam])
  inputs!: ContractMethodParam[];

  @Field(() => [ContractMethodParam])
  outputs!: ContractMethodParam[];
}

@ObjectType({ simpleResolvers: true, description: 'The generated REST API of a compiled contract (Kaleido)' })
export class ContractApi {
  @Field(() => [ContractMethod])
  methods!: ContractMethod[];

  @Field(() => GraphQLJSON, { description: 'OpenAPI 3.0.3 document: one POST per method' })
  openApi!: unknown;
}

/** A page of a consortium's compilations, oldest first. */
export const CompilationConnection = Connection(Compilation, 'Compilation');

export enum DiagnosticSeverity {
  ERROR = 'ERROR',
  WARNING = 'WARNING',
  INFO = 'INFO',
}
registerEnumType(DiagnosticSeverity, { name: 'DiagnosticSeverity' });

@ObjectType({ simpleResolvers: true, description: 'A compiler message placed in the source' })
export class Diagnostic {
  @Field(() => DiagnosticSeverity)
  severity!: DiagnosticSeverity | `${DiagnosticSeverity}`;

  @Field(() => String)
  message!: string;

  @Field(() => Int, { nullable: true, description: '1-based line; null when the compiler names no place in the source' })
  line!: number | null;

  @Field(() => Int, { nullable: true, description: '1-based column, in characters' })
  column!: number | null;
}

@InputType()
export class CompileDraftInput {
  @Field(() => ID)
  consortiumId!: string;

  @Field(() => String, { description: 'Solidity source; compiled, never stored (at most COMPILE_MAX_SOURCE_BYTES)' })
  source!: string;

  @Field(() => String, { nullable: true, description: 'The contract to preview; default: the last deployable one' })
  contractName?: string | null;

  @Field(() => ID, { nullable: true })
  membershipId?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A draft compiled without being stored (Cloud IDE): diagnostics and an ABI preview' })
export class CompilationDraft {
  @Field(() => Boolean, { description: 'True when it compiled (warnings allowed)' })
  ok!: boolean;

  @Field(() => Boolean, { description: 'Answered from the cache of sources already compiled by this compiler version' })
  cached!: boolean;

  @Field(() => String)
  compilerVersion!: string;

  @Field(() => String, { nullable: true })
  contractName!: string | null;

  @Field(() => [Diagnostic])
  diagnostics!: Diagnostic[];

  @Field(() => GraphQLJSON, { nullable: true, description: 'The ABI of the contract, when it compiled' })
  abi!: unknown[] | null;

  @Field(() => [ContractMethod], { description: 'The callable functions of that ABI' })
  methods!: ContractMethod[];
}
