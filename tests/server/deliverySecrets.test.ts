import { describe, expect, it } from 'vitest';
import { httpSignIn, startServer } from './support/serverProcess.ts';
import { serverWorld } from './support/serverWorld.ts';
import { newWebhookSecret, startStudioReceiver } from './support/studioReceiver.ts';
import { TEST_PASSWORD } from './support/testApp.ts';

const FEED_TOKEN = 'feed-token-that-must-never-be-printed-0001';
const METRICS_TOKEN = 'metrics-token-that-must-never-be-printed-01';

/**
 * The real server at the most verbose log level, pushing to a studio that
 * first fails, with the feed and metrics on: no secret, token, signature,
 * password or session id appears in anything it prints or answers.
 */
describe('secrets of credit delivery', () => {
  it('never appear in a log line at trace level, an error or an answer', async () => {
    const { database, env: databaseEnv, reopen, lead, customer, runIds: runs } = await serverWorld({ runs: 2, charge: 50, balance: 1_000 });

    const secret = newWebhookSecret();
    const previous = newWebhookSecret();
    const receiver = await startStudioReceiver(secret);
    let calls = 0;
    receiver.behave(() => (++calls <= 2 ? { answer: 503, body: 'down for maintenance' } : { answer: 200 }));
    const env = {
      ...databaseEnv, LOG_LEVEL: 'trace',
      STUDIO_WEBHOOK_URL: receiver.url, STUDIO_WEBHOOK_SECRET: secret, STUDIO_WEBHOOK_SECRET_PREVIOUS: previous,
      STUDIO_WEBHOOK_RETRY_SCHEDULE: '1s,1s,1s', STUDIO_FEED_TOKEN: FEED_TOKEN, METRICS_TOKEN,
    };
    const answers: string[] = [];
    const server = await startServer(env);
    let sessionCookie = '';
    try {
      const session = await httpSignIn(server.url, lead.email, TEST_PASSWORD);
      sessionCookie = session.cookie.split('=')[1] ?? '';
      const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
        const res = await fetch(`${server.url}${path}`, {
          ...init,
          headers: { 'Content-Type': 'application/json', Cookie: session.cookie, 'X-CSRF-Token': session.csrf, ...init.headers },
        });
        answers.push(await res.clone().text());
        return res;
      };
      const credited = [];
      for (const run of runs) {
        const res = await call('/api/credits', {
          method: 'POST', headers: { 'Idempotency-Key': `k-${run}` },
          body: JSON.stringify({ customer_id: customer.id, items: [{ generation_id: run, tokens: 50 }], amount: 50, reason: 'off_prompt', ticket_ref: 'T-1', expected: 'e', received: 'r' }),
        });
        expect(res.status).toBe(201);
        credited.push(((await res.json()) as { id: string }).id);
      }
      await call(`/api/credits/${credited[0]}/void`, { method: 'POST', body: JSON.stringify({ reason: 'Wrong account' }) });
      expect((await call('/api/studio/credit-events', { headers: { Authorization: `Bearer ${FEED_TOKEN}x` } })).status).toBe(401);
      expect((await call('/api/studio/credit-events?after=0', { headers: { Authorization: `Bearer ${FEED_TOKEN}` } })).status).toBe(200);
      expect((await call('/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
      expect((await call('/metrics', { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);

      const deadline = Date.now() + 20_000;
      while (receiver.booked.size < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(receiver.booked.size).toBe(3);
      for (const id of credited) await call(`/api/credits/${id}`);
      await call('/api/reports/studio-delivery');
      await call('/api/credits?filter={"delivery_state":"delivered"}');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await receiver.stop();
    }

    // A bad secret stops the start, naming the variable and not the value.
    const badSecret = `whsec_${Buffer.alloc(10, 3).toString('base64')}`;
    const refused = await startServer({ ...env, STUDIO_WEBHOOK_SECRET: badSecret }).then(
      () => { throw new Error('the server started with a bad secret'); },
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/STUDIO_WEBHOOK_SECRET: must hold at least 24 bytes/);

    const printed = server.output();
    // Trace level really was on: the attempts were logged.
    expect(printed).toContain('credit event attempt');
    const signatures = receiver.attempts.flatMap((attempt) => attempt.signature.split(' ')).map((part) => part.slice(3));
    expect(signatures.length).toBeGreaterThanOrEqual(6);
    const hidden = [secret, secret.slice(6), previous, previous.slice(6), FEED_TOKEN, METRICS_TOKEN, TEST_PASSWORD, sessionCookie, badSecret.slice(6), ...signatures];
    const opened = await reopen();
    const errors = await opened.storage.all<{ last_error: string | null }>('SELECT last_error FROM credit_events ORDER BY seq');
    const auditRows = await opened.storage.all<{ text: string }>(
      "SELECT COALESCE(before_json, '') || COALESCE(after_json, '') || COALESCE(reason, '') AS text FROM audit_events ORDER BY seq",
    );
    await opened.close();
    expect(errors).toHaveLength(3);
    expect(auditRows.length).toBeGreaterThan(0);
    const stored = errors.map((row) => row.last_error).join('\n');
    const audit = auditRows.map((row) => row.text).join('\n');
    for (const value of hidden) {
      expect(value.length).toBeGreaterThan(10);
      expect(printed).not.toContain(value);
      expect(refused).not.toContain(value);
      expect(stored).not.toContain(value);
      expect(audit).not.toContain(value);
      for (const answer of answers) expect(answer).not.toContain(value);
    }
    await database.cleanup();
  }, 60_000);
});
