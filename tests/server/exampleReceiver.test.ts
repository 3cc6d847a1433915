import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../server/delivery/secret.ts';
import { sendWebhook } from '../../server/delivery/webhookSender.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { newWebhookSecret } from './support/studioReceiver.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

const receiverScript = join(import.meta.dirname, '..', '..', 'docs', 'examples', 'studio-receiver.mjs');

let app: TestApp | undefined;
let stopReceiver: (() => void) | undefined;
afterEach(async () => {
  stopReceiver?.();
  await app?.cleanup();
});

/** The example receiver of docs/integration.md, started as the README says, on a free port. */
async function startExampleReceiver(secret: string) {
  const child = spawn(process.execPath, [receiverScript], { env: { PATH: process.env.PATH ?? '', STUDIO_WEBHOOK_SECRET: secret, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  stopReceiver = () => child.kill('SIGTERM');
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`receiver did not start: ${output}`)), 10_000);
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  /** The receiver prints before it answers, but its output reaches this process a moment later. */
  const printed = async (pattern: RegExp | string): Promise<string> => {
    const deadline = Date.now() + 5_000;
    const matches = (): boolean => (typeof pattern === 'string' ? output.includes(pattern) : pattern.test(output));
    while (!matches() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return output;
  };
  return { url, printed };
}

describe('the example studio receiver', () => {
  it('verifies and books a credit and its void pushed by the console, and books a repeat only once', async () => {
    const secret = newWebhookSecret();
    const receiver = await startExampleReceiver(secret);
    const t = (app = await createTestApp({ STUDIO_WEBHOOK_URL: receiver.url, STUDIO_WEBHOOK_SECRET: secret }));
    const w = await creditWorld(t.app, t.ctx);
    const credit = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await act(w.as.lead, `/api/credits/${credit.body.id}/void`, { reason: 'Wrong account' });
    const dispatcher = t.ctx.dispatcher;
    const webhook = t.ctx.config.webhook;
    if (!dispatcher || !webhook) throw new Error('push is on');
    while ((await dispatcher.runOnce()) > 0);
    const events = await t.rows('SELECT id, state, studio_ref FROM credit_events ORDER BY seq');
    expect(events).toEqual([
      { id: credit.body.transaction_id, state: 'delivered', studio_ref: 'studio-1' },
      { id: expect.any(String), state: 'delivered', studio_ref: 'studio-2' },
    ]);
    const booking = `booked credit.applied ${credit.body.transaction_id} +120 tokens for customer ${w.customer.id} (credit ${credit.body.id})`;
    expect(await receiver.printed(booking)).toContain(booking);
    expect(await receiver.printed(/booked credit\.voided \S+ -120 tokens/)).toMatch(/booked credit\.voided \S+ -120 tokens/);

    // The same event again (as after an answer lost on the way back): acknowledged, not booked twice.
    const first = await t.row<{ id: string; body: string }>('SELECT id, body FROM credit_events ORDER BY seq LIMIT 1');
    if (!first) throw new Error('the credit has its event');
    expect(first.id).toBe(credit.body.transaction_id);
    expect(await sendWebhook(webhook, first)).toEqual({ delivered: true, status: 200, studioRef: 'studio-1' });
    const repeat = `already booked credit.applied ${first.id} (studio-1)`;
    expect(await receiver.printed(repeat)).toContain(repeat);
    // Signed with another secret: refused.
    const forged = await sendWebhook({ ...webhook, keys: [new Secret(newWebhookSecret().slice(6))] }, first);
    expect(forged).toMatchObject({ delivered: false, status: 401 });
  });
});
