import express, { Router } from 'express';
import { ingestBatchSchema, MAX_BATCH_BYTES, MAX_EVENTS_PER_BATCH } from '../../shared/ingestEvents.ts';
import type { AppContext } from '../context.ts';
import { PayloadTooLarge, ValidationFailed } from '../errors.ts';
import { requestOrigin } from '../http/origin.ts';
import { parseInput } from '../http/validate.ts';
import { SIGNATURE_HEADER, verifySignature } from './signature.ts';

/**
 * `POST /api/ingest/events`: the studio's signed feed. No session or CSRF
 * token here, and the ingest secret opens nothing else.
 */
export function ingestRoutes(ctx: AppContext): Router {
  const router = Router();
  // The signature covers the exact bytes sent, so the body is read raw.
  router.post('/events', express.raw({ type: () => true, limit: MAX_BATCH_BYTES }), (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    verifySignature(req.get(SIGNATURE_HEADER), raw, ctx.config.ingestSecret, ctx.clock().getTime());
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ValidationFailed({ body: 'is not valid JSON' }, 'The request body is not valid JSON.');
    }
    const { events } = parseInput(ingestBatchSchema, body);
    if (events.length > MAX_EVENTS_PER_BATCH) throw new PayloadTooLarge(`A batch holds at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}.`);
    res.json(ctx.ingest.ingest(events, requestOrigin(req)));
  });
  return router;
}
