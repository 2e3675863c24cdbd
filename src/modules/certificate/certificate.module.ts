import type { GatewayModule } from '../../graphql/module';
import { consortiumAction } from '../../graphql/rules';
import { environmentNamed } from '../../graphql/scopes';
import { forgetCaKey, registerCaKey } from './ca-key';
import { CertificateResolver } from './certificate.resolver';

/** Each membership's X.509 certificate per environment, and the key that protects the environment CAs. */
export const certificateModule: GatewayModule = {
  name: 'certificate',
  resolvers: [CertificateResolver],
  rules: {
    Query: {
      certificate: consortiumAction('certificate.download', environmentNamed('environmentId')),
    },
    Mutation: {
      uploadCertificate: consortiumAction('certificate.upload', environmentNamed('input.environmentId', 'input.membershipId')),
      resetCertificate: consortiumAction('certificate.reset', environmentNamed('environmentId')),
    },
  },
  start(app) {
    registerCaKey(app);
  },
  async stop(app) {
    await forgetCaKey(app);
  },
};
