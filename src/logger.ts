import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; tests pass level 'silent'. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'governance-gateway' },
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.token'], remove: true },
  });
}
