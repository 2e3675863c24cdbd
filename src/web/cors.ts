import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS for browser apps on other origins: preflights from an allowed origin are answered, others
 * refused with 403 and a code. Requests without a preflight (same origin, curl) pass untouched;
 * Apollo's CSRF prevention still refuses simple cross-site requests that carry no JSON body or
 * `apollo-require-preflight` header.
 */
export function corsAllowList(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const answer = cors({
    origin: (origin, done) => done(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'],
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  });
  return (req, res, next) => {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (preflight && (origin === undefined || !allowed.has(origin))) {
      res.status(403).json({
        errors: [{ message: `Origin ${origin ?? '(none)'} is not allowed to call this API (CORS_ORIGINS)`, extensions: { code: 'FORBIDDEN' } }],
      });
      return;
    }
    answer(req, res, next);
  };
}
