import { ServiceKey } from '../../registry';
import type { AppServices } from '../../graphql/context';
import { checkSecret, deriveKeyAsync } from './key-encryption';

/** The key that encrypts every environment CA's private key, derived on first use. */
class CaKey {
  private derived: Promise<Buffer> | null = null;
  constructor(private readonly secret: string) {}

  get(): Promise<Buffer> {
    this.derived ??= deriveKeyAsync(this.secret);
    return this.derived;
  }

  async forget(): Promise<void> {
    const derived = this.derived;
    this.derived = null;
    (await derived?.catch(() => null))?.fill(0);
  }
}

/** Registry name of the key that encrypts every environment CA's private key. */
const CA_KEY = new ServiceKey<CaKey>('caKey');

/**
 * Checks the CA key secret at start and registers the key, derived on its first use (scrypt,
 * ~0.4 s of CPU, on libuv's thread pool): a start, and each gateway worker's start, does not pay
 * for a key that only creating an environment or issuing a certificate needs. The derived key is
 * kept in memory only, never written anywhere.
 */
export function registerCaKey(app: AppServices): void {
  checkSecret(app.config.caKeySecret);
  app.registry.set(CA_KEY, new CaKey(app.config.caKeySecret));
}

/** Wipes the key from memory at shutdown. */
export async function forgetCaKey(app: AppServices): Promise<void> {
  const key = app.registry.get(CA_KEY);
  app.registry.delete(CA_KEY);
  await key?.forget();
}

/** The derived key; the certificate module's start() must have run. */
export function caKey(app: AppServices): Promise<Buffer> {
  const key = app.registry.get(CA_KEY);
  if (!key) throw new Error('the CA key-encryption key is not registered: the certificate module did not start');
  return key.get();
}
