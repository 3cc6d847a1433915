import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { authRoutes } from './auth/authRoutes.ts';
import { oidcRoutes } from './auth/oidcRoutes.ts';
import { loadSession, requireCsrf, requirePasswordChanged, requireSession } from './auth/middleware.ts';
import type { AppContext } from './context.ts';
import { auditRoutes } from './audit/auditRoutes.ts';
import { creditListRoutes } from './credits/creditListRoutes.ts';
import { creditRoutes } from './credits/creditRoutes.ts';
import { exportRoutes } from './exports/exportRoutes.ts';
import { policyRoutes } from './policy/policyRoutes.ts';
import { reportRoutes } from './reports/reportRoutes.ts';
import { staffRoutes } from './staff/staffRoutes.ts';
import { errorHandler, NotFound } from './errors.ts';
import { jsonBody } from './http/jsonBody.ts';
import { securityHeaders } from './http/securityHeaders.ts';
import { requestLog } from './http/requestLog.ts';
import { resourceRoutes } from './resources/resourceRoutes.ts';
import { ingestRoutes } from './ingest/ingestRoutes.ts';
import { refuseNul } from './http/refuseNul.ts';
import { deliveryActionRoutes, requireBearer, studioFeedRoutes } from './delivery/studioRoutes.ts';
import { projectRoot } from '../db/projectRoot.ts';

export const defaultClientDir = join(projectRoot, 'client', 'dist');
export const mediaDir = join(projectRoot, 'server', 'media');

const JSON_LIMIT = '1mb';

export interface AppOptions {
  clientDir?: string;
}

/** The whole HTTP surface. Does not listen: main.ts does, tests drive it with supertest. */
export function createApp(ctx: AppContext, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // The API headers go to paths under a lower-case /api (securityHeaders): `/API/customers` must not reach
  // the API with the page headers instead. Set before the first route, when Express builds its router.
  app.set('case sensitive routing', true);
  // Off unless TRUST_PROXY names the proxy: otherwise any client could pick its own req.ip with X-Forwarded-For.
  app.set('trust proxy', ctx.config.trustProxy);

  // API answers are small and never revalidated: an ETag would hash every body for nothing.
  app.set('etag', false);
  app.use(requestLog(ctx.logger));
  // Counting requests costs a little on every one: only when someone reads the metrics.
  if (ctx.config.metricsToken) app.use(ctx.metrics.requestCounter());
  app.use(securityHeaders(ctx.config.production));

  app.get('/healthz', async (_req, res) => {
    try {
      await ctx.storage.get('SELECT 1');
      res.json({ ok: true, database: 'ok' });
    } catch {
      res.status(503).json({ ok: false, database: 'unavailable' });
    }
  });

  app.get('/metrics', requireBearer(ctx.config.metricsToken, 'Metrics'), async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  // Signed by the studio or holding its bearer token, not a session: mounted before the session and CSRF checks.
  app.use('/api/ingest', ingestRoutes(ctx));
  app.use('/api/studio', studioFeedRoutes(ctx));

  const api = express.Router({ caseSensitive: true });
  // Only requests that can carry a body go through the JSON parser; reads skip a layer of work.
  const json = jsonBody(JSON_LIMIT);
  api.use((req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? next() : json(req, res, next)));
  // After the body (one nested too deep is refused first, whoever sends it), before anything reads the URL.
  api.use(refuseNul);
  api.use(loadSession(ctx.sessions));
  api.use('/auth', authRoutes(ctx));
  api.use('/auth', oidcRoutes(ctx));
  // Everything below needs a live session and, for changes, the CSRF token.
  api.use(requireSession, requireCsrf, requirePasswordChanged);
  api.use(resourceRoutes(ctx));
  // Before the credit and audit routes, whose `/:id` would otherwise take `export.csv`.
  api.use(exportRoutes(ctx));
  api.use(creditRoutes(ctx));
  api.use(deliveryActionRoutes(ctx));
  api.use(creditListRoutes(ctx));
  api.use(auditRoutes(ctx));
  api.use(reportRoutes(ctx));
  api.use(staffRoutes(ctx));
  api.use(policyRoutes(ctx));
  api.use((req, _res, next) => next(new NotFound('API route', `${req.method} ${req.path}`)));
  app.use('/api', api);

  // Only media files: the folder also holds how they were made.
  app.use('/media', (req, _res, next) => next(/^\/[\w.-]+\.(png|jpe?g|webp|gif|mp4|webm)$/i.test(req.path) ? undefined : new NotFound('Media file')));
  app.use('/media', express.static(mediaDir, { fallthrough: false, maxAge: '1h' }));

  const clientDir = options.clientDir ?? defaultClientDir;
  app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
  app.get('/{*splat}', (_req, res) => {
    const index = join(clientDir, 'index.html');
    if (existsSync(index)) {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    } else {
      res.status(503).type('text/plain').send('The console has not been built yet: run `npm run build`.');
    }
  });

  app.use(errorHandler);
  return app;
}
