import type { Router } from 'express';
import { staffQueries } from '../../db/repositories/staffQueries.ts';
import { staffInviteSchema, staffPutSchema } from '../../shared/staff.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { NotFound } from '../errors.ts';
import { requestOrigin, staffActor } from '../http/origin.ts';
import { parseBody } from '../http/validate.ts';
import { parseListQuery, sendListPageFrom } from '../resources/listQuery.ts';
import { rowToStaff } from './staffService.ts';
import { apiRouter } from '../http/router.ts';

/** Staff accounts: leads and admins read; admins onboard, change, disable. Never hard-deleted. */
export function staffRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  const readers = requireRole('lead', 'admin');
  const admins = requireRole('admin');

  // Read on ctx.storage, outside any transaction.
  router.get('/staff', readers, async (req, res) => {
    const page = parseListQuery('staff', staffQueries, req.query as Record<string, unknown>);
    await sendListPageFrom(ctx.storage, res, 'staff', staffQueries, page, rowToStaff);
  });

  router.get('/staff/:id', readers, async (req, res) => {
    const row = await staffQueries.byId(ctx.storage, String(req.params.id));
    if (!row) throw new NotFound('Staff account', String(req.params.id));
    res.json(rowToStaff(row));
  });

  router.post('/staff', admins, async (req, res) => {
    const input = parseBody(staffInviteSchema, req);
    res.status(201).json(await ctx.staff.invite(input, staffActor(req), requestOrigin(req)));
  });

  // The writable fields alone, or the whole record as ra-data-simple-rest sends it (read-only fields unchanged).
  router.put('/staff/:id', admins, async (req, res) => {
    const changes = parseBody(staffPutSchema, req);
    res.json(await ctx.staff.update(String(req.params.id), changes, staffActor(req), requestOrigin(req)));
  });

  router.post('/staff/:id/end-sessions', admins, async (req, res) => {
    res.json({ sessions_ended: await ctx.staff.endSessions(String(req.params.id), staffActor(req), requestOrigin(req)) });
  });

  router.post('/staff/:id/reset-password', admins, async (req, res) => {
    res.json(await ctx.staff.resetPassword(String(req.params.id), staffActor(req), requestOrigin(req)));
  });

  return router;
}
