import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, notFound } from '../../errors';
import type { GatewayContext } from '../../graphql/context';
import type { ConsortiumGrant } from '../../graphql/grant';
import { Environment, EnvironmentStatus } from '../environment/environment.entity';
import { MembershipCertificateStatus } from '../environment/environment.types';
import { EventKind } from '../event/event.entity';
import { eventActor, recordEvent } from '../event/event.recorder';
import { Membership } from '../membership/membership.entity';
import { Organization } from '../organization/organization.entity';
import { CsrError, decryptPrivateKey, issueCertificate, parseAndVerifyCsr } from './ca';
import { caKey } from './ca-key';
import { Certificate, CertificateStatus } from './certificate.entity';
import type { UploadCertificateInput } from './certificate.types';

const SUBJECT = 'Certificate';

/**
 * Issues the acting membership's certificate for an environment from its CSR
 * (certificate.upload). The CSR must name CN = membership id and O = organization name. A
 * previous ACTIVE certificate of the membership there is revoked in the same transaction.
 */
export async function uploadCertificate(
  ctx: GatewayContext,
  { acting, scope }: ConsortiumGrant<Environment>,
  input: UploadCertificateInput,
): Promise<Certificate> {
  const found = scope.row;
  const membershipId = acting.membership.id;
  const organization = await ctx.loaders.byId(Organization).load(acting.organizationId);
  let csr: Awaited<ReturnType<typeof parseAndVerifyCsr>>['csr'];
  try {
    ({ csr } = await parseAndVerifyCsr(input.csrPem, { commonName: membershipId, organization: organization?.name }));
  } catch (error) {
    if (error instanceof CsrError) throw badInput(`CSR refused: ${error.message}`, { field: 'csrPem', reason: error.reason });
    throw error;
  }

  return ctx.em.transactional(async (tem) => {
    const ca = await lockForCertificates(tem, found.id, membershipId);
    const caPrivateKeyPkcs8 = decryptPrivateKey(ca.ca_private_key_encrypted, await caKey(ctx.app));
    let issued: Awaited<ReturnType<typeof issueCertificate>>;
    try {
      issued = await issueCertificate({ caCertificatePem: ca.ca_certificate_pem, caPrivateKeyPkcs8, csr });
    } finally {
      caPrivateKeyPkcs8.fill(0);
    }
    const revoked = await revokeActive(tem, found.id, membershipId);
    const certificate = tem.create(Certificate, {
      membership: tem.getReference(Membership, membershipId),
      environment: tem.getReference(Environment, found.id),
      pem: issued.certificatePem,
      serial: issued.serial,
      subject: csr.subject,
      notAfter: issued.notAfter,
      status: CertificateStatus.ACTIVE,
    });
    await recordEvent(tem, {
      kind: EventKind.CERTIFICATE_ISSUED,
      consortiumId: found.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: certificate.id },
      payload: {
        environmentId: found.id, membershipId, serial: issued.serial, subject: csr.subject,
        notAfter: issued.notAfter.toISOString(), revokedSerial: revoked?.serial ?? null,
      },
    });
    return certificate;
  });
}

/** The acting membership's certificate for an environment: the ACTIVE one, else the latest (certificate.download). */
export async function downloadCertificate(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Environment>): Promise<Certificate | null> {
  return ctx.em.findOne(
    Certificate,
    { environment: scope.row.id, membership: acting.membership.id },
    { orderBy: { status: 'asc', createdAt: 'desc' } },
  );
}

/** Revokes the acting membership's ACTIVE certificate for an environment (certificate.reset). */
export async function resetCertificate(ctx: GatewayContext, { acting, scope }: ConsortiumGrant<Environment>): Promise<Certificate> {
  const env = scope.row;
  const owner = acting.membership.id;
  return ctx.em.transactional(async (tem) => {
    await lockForCertificates(tem, env.id, owner);
    const revoked = await revokeActive(tem, env.id, owner);
    if (!revoked) throw notFound('Active certificate for this membership in environment', env.id);
    await recordEvent(tem, {
      kind: EventKind.CERTIFICATE_REVOKED,
      consortiumId: env.consortium.id,
      actor: eventActor(acting),
      subject: { type: SUBJECT, id: revoked.id },
      payload: { environmentId: env.id, membershipId: owner, serial: revoked.serial },
    });
    return tem.findOneOrFail(Certificate, revoked.id, { refresh: true });
  });
}

/** Certificate status of (environment, membership) pairs, batched per request for connection profiles. */
export function certificateStatusLoader(ctx: GatewayContext) {
  return ctx.loaders.custom<string, MembershipCertificateStatus>('certificate-status', async (keys) => {
    const pairs = keys.map((k) => k.split('|') as [string, string]);
    const rows = await ctx.em.execute<{ environment_id: string; membership_id: string; active: boolean }[]>(
      `select environment_id, membership_id, bool_or(status = ?) as active from certificate
        where environment_id in (?) and membership_id in (?) group by 1, 2`,
      [CertificateStatus.ACTIVE, [...new Set(pairs.map((p) => p[0]))], [...new Set(pairs.map((p) => p[1]))]],
    );
    const status = new Map(rows.map((r) => [`${r.environment_id}|${r.membership_id}`, r.active]));
    return keys.map((k) => {
      const active = status.get(k);
      if (active === undefined) return MembershipCertificateStatus.NONE;
      return active ? MembershipCertificateStatus.ACTIVE : MembershipCertificateStatus.REVOKED;
    });
  });
}

/**
 * Holds the environment (FOR SHARE: a concurrent delete waits, then revokes what we issue) and
 * serializes certificate changes of one membership in one environment; returns the CA.
 */
async function lockForCertificates(em: EntityManager, environmentId: string, membershipId: string) {
  const [ca] = await em.execute<{ status: string; ca_certificate_pem: string; ca_private_key_encrypted: string }[]>(
    'select status, ca_certificate_pem, ca_private_key_encrypted from environment where id = ? for share',
    [environmentId],
  );
  if (!ca || ca.status !== EnvironmentStatus.LIVE) throw notFound('Environment', environmentId);
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`certificate:${environmentId}:${membershipId}`]);
  return ca;
}

async function revokeActive(em: EntityManager, environmentId: string, membershipId: string) {
  const rows = await em.execute<{ id: string; serial: string }[]>(
    `update certificate set status = ?, revoked_at = now()
      where environment_id = ? and membership_id = ? and status = ? returning id, serial`,
    [CertificateStatus.REVOKED, environmentId, membershipId, CertificateStatus.ACTIVE],
  );
  return rows[0] ?? null;
}
