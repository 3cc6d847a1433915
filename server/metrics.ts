import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { creditEventRepository } from '../db/repositories/creditEventRepository.ts';
import type { Queryable } from '../db/storage/types.ts';
import type { Clock } from './clock.ts';
import type { AttemptOutcome } from './delivery/webhookSender.ts';

/**
 * The console's Prometheus metrics (`GET /metrics`, docs/api.md): delivery
 * attempts by outcome and their duration, credit events by state and the age
 * of the oldest undelivered one (read from the database at each scrape, so
 * every instance reports the same), and HTTP requests by route and status.
 * One registry per app, so tests that build many apps never share counters.
 */
export function createMetrics(storage: Queryable, clock: Clock) {
  const registry = new Registry();
  const registers = [registry];

  const attempts = new Counter({
    name: 'token_desk_credit_delivery_attempts_total',
    help: 'Webhook attempts to the studio, by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const attemptSeconds = new Histogram({
    name: 'token_desk_credit_delivery_attempt_duration_seconds',
    help: 'Duration of one webhook attempt, answer included',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60],
    registers,
  });
  new Gauge({
    name: 'token_desk_credit_events',
    help: 'Credit events by delivery state (pending includes attempts in flight)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      for (const [state, n] of Object.entries(await creditEventRepository.counts(storage))) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'token_desk_credit_delivery_oldest_undelivered_age_seconds',
    help: 'Age of the oldest credit event not yet delivered; 0 when everything is delivered',
    registers,
    async collect() {
      const oldest = (await creditEventRepository.summary(storage)).oldest_undelivered_at;
      this.set(oldest ? Math.max(0, (clock().getTime() - Date.parse(oldest)) / 1000) : 0);
    },
  });
  const requests = new Counter({
    name: 'token_desk_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });

  let defaultsOn = false;

  return {
    registry,
    recordAttempt(outcome: AttemptOutcome, seconds: number): void {
      attempts.inc({ outcome });
      attemptSeconds.observe(seconds);
    },
    /**
     * Counts every answer under its route's pattern (`/api/credits/:id`), never
     * the raw path, so ids do not multiply the series.
     */
    requestCounter(): RequestHandler {
      if (!defaultsOn) {
        collectDefaultMetrics({ register: registry, prefix: 'token_desk_' });
        defaultsOn = true;
      }
      return (req, res, next) => {
        res.on('finish', () => {
          const route = req.route?.path;
          const pattern = typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched';
          requests.inc({ method: req.method, route: pattern, status: String(res.statusCode) });
        });
        next();
      };
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
