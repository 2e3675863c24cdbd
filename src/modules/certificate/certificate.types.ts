import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class UploadCertificateInput {
  @Field(() => ID)
  environmentId!: string;

  @Field(() => String, {
    description:
      'A PEM PKCS#10 request (at most 16 KiB; ECDSA P-256/P-384 or RSA 2048–8192, SHA-256 or stronger). ' +
      'Its subject must be exactly CN=<the acting membership id>, O=<your organization name>: the issued ' +
      'certificate then names the membership it identifies. Refusals are BAD_USER_INPUT with `reason` ' +
      'TOO_LARGE | NOT_PEM | NOT_A_CSR | UNSUPPORTED_ALGORITHM | BAD_SIGNATURE | SUBJECT_MISMATCH.',
  })
  csrPem!: string;

  @Field(() => ID, { nullable: true, description: 'The membership the certificate identifies (and acts)' })
  membershipId?: string | null;
}
