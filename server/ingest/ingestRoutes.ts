import express, { type Router } from 'express';
import { apiRouter } from '../http/router.ts';
import { ingestBatchSchema, MAX_BATCH_BYTES, MAX_EVENTS_PER_BATCH } from '../../shared/ingestEvents.ts';
import type { AppContext } from '../context.ts';
import { PayloadTooLarge } from '../errors.ts';
import { parseJsonBody } from '../http/jsonBody.ts';
import { requestOrigin } from '../http/origin.ts';
import { parseInput } from '../http/validate.ts';
import { SIGNATURE_HEADER, verifySignature } from './signature.ts';

/**
 * `POST /api/ingest/events`: the studio's signed feed. No session or CSRF
 * token here, and the ingest secret opens nothing else.
 */
export function ingestRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  // The signature covers the exact bytes sent, so the body is read raw.
  router.post('/events', express.raw({ type: () => true, limit: MAX_BATCH_BYTES }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    verifySignature(req.get(SIGNATURE_HEADER), raw, ctx.config.ingestSecret, ctx.clock().getTime());
    const { events } = parseInput(ingestBatchSchema, parseJsonBody(raw));
    if (events.length > MAX_EVENTS_PER_BATCH) throw new PayloadTooLarge(`A batch holds at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}.`);
    res.json(await ctx.ingest.ingestBatch(events, requestOrigin(req)));
  });
  return router;
}
