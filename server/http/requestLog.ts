import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * Gives every request an id (answered in `X-Request-Id`, carried into audit
 * events) and a logger bound to it, and logs one line when the answer is sent.
 *
 * Hand-written rather than pino-http: that builds a child logger carrying the
 * whole serialized, redacted request for every request, even at levels where
 * nothing is written — it was the largest cost of a lookup (BENCHMARKS.md).
 * The line logs the path without its query: lookups carry customers' e-mails.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = randomUUID();
    req.id = id;
    req.log = logger.child({ reqId: id });
    res.setHeader('X-Request-Id', id);
    if (logger.isLevelEnabled('info')) {
      const started = performance.now();
      res.on('finish', () => {
        const responseTime = Math.round((performance.now() - started) * 10) / 10;
        req.log.info({ method: req.method, path: req.originalUrl.split('?', 1)[0], status: res.statusCode, responseTime }, 'request completed');
      });
    }
    next();
  };
}
