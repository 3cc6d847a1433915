import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requestLog } from '../../server/http/requestLog.ts';

/** An app with the request log over a logger that writes into an array. */
function appLoggingTo(level: pino.Level) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const app = express();
  app.use(requestLog(logger));
  app.get('/api/lookup', (req, res) => {
    req.log.warn({ seen: true }, 'from the handler');
    res.status(404).json({ id: req.id });
  });
  return { app, lines };
}

describe('request log', () => {
  it('answers the request id and logs one line per request under it, without the query (it can hold e-mails)', async () => {
    const { app, lines } = appLoggingTo('info');
    const res = await request(app).get('/api/lookup?q=jane%40example.com');
    expect(res.status).toBe(404);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toEqual({ id });
    expect(lines).toEqual([
      expect.objectContaining({ reqId: id, seen: true, msg: 'from the handler' }),
      expect.objectContaining({ reqId: id, method: 'GET', path: '/api/lookup', status: 404, msg: 'request completed' }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('example.com');
  });

  it('writes no request line above info, but keeps the handler logging under the request id', async () => {
    const { app, lines } = appLoggingTo('warn');
    const res = await request(app).get('/api/lookup?q=x');
    expect(lines).toEqual([expect.objectContaining({ reqId: res.headers['x-request-id'], msg: 'from the handler' })]);
  });
});
