import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../graphql/context';
import { Granted, type ConsortiumGrant } from '../../graphql/grant';
import { Environment } from '../environment/environment.entity';
import { Membership } from '../membership/membership.entity';
import { Certificate } from './certificate.entity';
import { downloadCertificate, resetCertificate, uploadCertificate } from './certificate.service';
import { UploadCertificateInput } from './certificate.types';

const ACT_AS = { nullable: true, description: 'The membership whose certificate this is (needed when your organization holds several)' };

@Resolver(() => Certificate)
export class CertificateResolver {
  @Query(() => Certificate, {
    nullable: true,
    description: 'Your acting membership’s certificate in an environment: the ACTIVE one, else the latest; null if none (certificate.download)',
  })
  certificate(
    @Arg('environmentId', () => ID) _environmentId: string,
    @Arg('membershipId', () => ID, ACT_AS) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Certificate | null> {
    return downloadCertificate(ctx, grant);
  }

  @Mutation(() => Certificate, {
    description: 'Have the environment CA issue your membership’s certificate from a CSR; the previous one is revoked (certificate.upload)',
  })
  uploadCertificate(
    @Arg('input', () => UploadCertificateInput) input: UploadCertificateInput,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ) {
    return uploadCertificate(ctx, grant, input);
  }

  @Mutation(() => Certificate, { description: 'Revoke your membership’s active certificate in an environment (certificate.reset)' })
  resetCertificate(
    @Arg('environmentId', () => ID) _environmentId: string,
    @Arg('membershipId', () => ID, ACT_AS) _membershipId: string | null,
    @Granted() grant: ConsortiumGrant<Environment>,
    @Ctx() ctx: GatewayContext,
  ): Promise<Certificate> {
    return resetCertificate(ctx, grant);
  }

  @FieldResolver(() => String, { description: 'The certificate (PEM)' })
  pem(@Root() certificate: Certificate): string {
    return certificate.pem;
  }

  @FieldResolver(() => String, { description: 'The certificate followed by the environment CA certificate (PEM)' })
  async chainPem(@Root() certificate: Certificate, @Ctx() ctx: GatewayContext): Promise<string> {
    const env = await ctx.loaders.row(Environment, certificate.environment.id);
    const caPem = env ? await ctx.loaders.deferred(Environment, env, 'caCertificatePem') : '';
    return `${certificate.pem.trimEnd()}\n${caPem.trimEnd()}\n`;
  }

  @FieldResolver(() => Environment)
  environment(@Root() certificate: Certificate, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Environment, certificate.environment.id);
  }

  @FieldResolver(() => Membership)
  membership(@Root() certificate: Certificate, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.row(Membership, certificate.membership.id);
  }
}
