import { Field, ID, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';
import { sqlLiteral } from '../../db/literal';

export enum CertificateStatus {
  ACTIVE = 'ACTIVE',
  REVOKED = 'REVOKED',
}

/** A membership's X.509 identity for one environment, issued by the environment's CA. */
@ObjectType('Certificate', { simpleResolvers: true })
@Entity({ tableName: 'certificate' })
@Index({
  name: 'certificate_one_active',
  expression:
    `create unique index certificate_one_active on certificate (membership_id, environment_id) where status = ${sqlLiteral(CertificateStatus.ACTIVE)}`,
})
export class Certificate {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @ManyToOne(() => Membership, { ref: true })
  membership!: Ref<Membership>;

  @ManyToOne(() => Environment, { ref: true, deleteRule: 'cascade' })
  @Index({ name: 'certificate_environment_idx' })
  environment!: Ref<Environment>;

  @Property({ type: 'text' })
  pem!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  serial!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  subject!: string;

  @Property({ type: 'timestamptz' })
  @Field(() => Date)
  notAfter!: Date;

  @Enum({ items: () => CertificateStatus, default: CertificateStatus.ACTIVE })
  @Field(() => CertificateStatus)
  status: Opt<CertificateStatus> = CertificateStatus.ACTIVE;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  revokedAt?: Date | null;
}
