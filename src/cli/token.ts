import { signToken } from '../auth/jwt';
import { ConfigError, loadConfig } from '../config';

/**
 * Prints a bearer token signed with JWT_SECRET (or the development secret of the data folder).
 * Usage: npm run token -- alice@example.com [--name "Alice"] [--sub ID] [--expires 12h]
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const email = args.find((a) => !a.startsWith('--') && a.includes('@'));
  const option = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (!email) {
    console.error('Usage: npm run token -- <email> [--name NAME] [--sub SUBJECT] [--expires 12h]');
    process.exit(2);
  }
  const config = loadConfig();
  if (!config.jwt.secret) {
    throw new ConfigError('Tokens come from your identity provider (JWKS_URL is set); npm run token needs JWT_SECRET');
  }
  // A stable subject per email, so the same person gets the same user on every token.
  const sub = option('sub') ?? `dev|${email.toLowerCase()}`;
  const token = await signToken(
    config.jwt.secret,
    { sub, email: email.toLowerCase(), name: option('name') },
    { issuer: config.jwt.issuer, audience: config.jwt.audience, expiresIn: option('expires') ?? '12h' },
  );
  process.stdout.write(`${token}\n`);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
