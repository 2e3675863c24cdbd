import { ServiceKey } from '../../registry';
import type { AppServices } from '../../graphql/context';
import { deriveKey } from './ca';

/** Registry name of the key that encrypts every environment CA's private key. */
const CA_KEY = new ServiceKey<Buffer>('caKey');

/** Derives the CA key-encryption key once (scrypt, ~100 ms) and keeps it in the registry. */
export function registerCaKey(app: AppServices): void {
  app.registry.set(CA_KEY, deriveKey(app.config.caKeySecret));
}

/** Wipes the key from memory at shutdown. */
export function forgetCaKey(app: AppServices): void {
  app.registry.get(CA_KEY)?.fill(0);
  app.registry.delete(CA_KEY);
}

/** The derived key; the environment module's start() must have run. */
export function caKey(app: AppServices): Buffer {
  const key = app.registry.get(CA_KEY);
  if (!key) throw new Error('the CA key-encryption key is not registered: the environment module did not start');
  return key;
}
