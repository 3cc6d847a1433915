import { afterAll, describe, expect, test } from 'vitest';
import { newWebhookSecret, startStudioReceiver, type StudioReceiver } from '../server/support/studioReceiver.ts';
import { artifactsRun, creditRunFromChat, mayaChatUrl, openChatReview } from './creditFlow.ts';
import { useBrowserTest } from './harness.ts';
import { saveScreenshot } from './screenshots.ts';
import { demoAccounts, signInAs } from './signIn.ts';


let receiver: StudioReceiver | undefined;
const secret = newWebhookSecret();
// The studio holds every answer until the test lets it go: the console's credits wait meanwhile.
let holding = true;
let failing = false;

const browserTest = useBrowserTest(async () => {
  receiver = await startStudioReceiver(secret);
  receiver.behave(() => (failing ? { answer: 500 } : holding ? { hang: true } : { answer: 200 }));
  return {
    env: {
      STUDIO_WEBHOOK_URL: receiver.url,
      STUDIO_WEBHOOK_SECRET: secret,
      STUDIO_WEBHOOK_TIMEOUT_SECONDS: '60',
      STUDIO_WEBHOOK_RETRY_SCHEDULE: '1s',
    },
  };
});
afterAll(async () => {
  await receiver?.stop();
});

const studio = (): StudioReceiver => {
  if (!receiver) throw new Error('the receiver starts with the server');
  return receiver;
};

describe('credits reach the studio', () => {
  test('a credit applied in the browser waits for the studio, then shows it in the customer\'s account without a reload', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);
    // Push is configured: no "not delivered" banner.
    await expect(page.getByText('Credits are not delivered to the studio').count()).resolves.toBe(0);

    await openChatReview(page, mayaChatUrl);
    await creditRunFromChat(page, artifactsRun);
    await page.getByRole('combobox', { name: 'Reason' }).click();
    await page.getByRole('option', { name: 'Visual artifacts' }).click();
    await page.getByLabel('Ticket reference').fill('ZD-50001');
    await page.getByLabel('What the customer expected').fill('A clean product shot');
    await page.getByLabel('What they received').fill('Stripes across the image');
    await page.getByRole('button', { name: 'Review the credit…' }).click();
    await page.getByRole('dialog', { name: /^Credit 20 tokens/ }).getByRole('button', { name: 'Confirm: credit 20 tokens' }).click();

    const outcome = page.getByRole('status').filter({ hasText: 'Credited 20 tokens' });
    await outcome.waitFor();
    const creditId = /Credit (crd_[\w-]+)/.exec((await outcome.textContent()) ?? '')?.[1];
    expect(creditId).toBeTruthy();
    await page.getByText('Waiting for the studio').first().waitFor();
    // Not delivered yet: no reply that says the tokens were added.
    await expect(page.getByText(/tokens (have been|were) added/i).count()).resolves.toBe(0);

    // The studio answers: the same screen moves on by itself.
    const url = page.url();
    holding = false;
    studio().release();
    await page.getByText(/In the customer's account since/).first().waitFor({ timeout: 20_000 });
    expect(page.url()).toBe(url);
    const booked = [...studio().booked.values()].map((body) => JSON.parse(body) as { type: string; data: { credit_id: string; amount: number } });
    expect(booked.filter((event) => event.data.credit_id === creditId)).toEqual([expect.objectContaining({ type: 'credit.applied', data: expect.objectContaining({ amount: 20 }) })]);
    expect(studio().attempts.every((attempt) => attempt.verified)).toBe(true);
    await saveScreenshot(page, 'credit-delivered');
  });

  test('a lead sees a given-up delivery on the credit page and retries it there', async () => {
    const { page } = browserTest;
    failing = true;
    // A credit made while the studio fails: with a one-step schedule it is given up after two attempts.
    await signInAs(page, demoAccounts.lead);
    const csrf = await page.evaluate(async () => ((await (await fetch('/api/auth/me')).json()) as { csrf_token: string }).csrf_token);
    const customers = await page.request.get('/api/customers?range=[0,0]');
    const [customer] = (await customers.json()) as { id: string }[];
    const credit = await page.request.post('/api/credits', {
      headers: { 'X-CSRF-Token': csrf, 'Idempotency-Key': `e2e-${Date.now()}` },
      data: { customer_id: customer.id, items: [], amount: 15, reason: 'goodwill', ticket_ref: 'ZD-50002', expected: 'Renders finished before the weekend', received: 'A queue delay of several hours' },
    });
    const pending = (await credit.json()) as { id: string; status: string };
    // Goodwill waits for a second person's approval: the admin approves it.
    const admin = await page.context().browser()?.newContext({ baseURL: browserTest.server.baseUrl });
    if (!admin) throw new Error('no browser');
    try {
      const login = await admin.request.post('/api/auth/login', { data: { email: demoAccounts.admin.email, password: demoAccounts.admin.password } });
      const adminCsrf = ((await login.json()) as { csrf_token: string }).csrf_token;
      const approved = await admin.request.post(`/api/credits/${pending.id}/approve`, { headers: { 'X-CSRF-Token': adminCsrf } });
      expect(approved.status()).toBe(200);
    } finally {
      await admin.close();
    }

    // Wait (through the API) until the second attempt has failed and the event is given up.
    const deadline = Date.now() + 20_000;
    let state = '';
    while (state !== 'given_up' && Date.now() < deadline) {
      const record = (await (await page.request.get(`/api/credits/${pending.id}`)).json()) as { delivery: { state: string }[] };
      state = record.delivery[0]?.state ?? '';
      if (state !== 'given_up') await page.waitForTimeout(200);
    }
    expect(state).toBe('given_up');

    await page.goto(`/#/credits/${pending.id}/show`);
    await page.getByText(/Not delivered — given up/).waitFor();
    await saveScreenshot(page, 'credit-delivery-given-up');

    failing = false;
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.getByText(/In the customer's account since/).waitFor({ timeout: 20_000 });
    await expect(page.getByRole('button', { name: 'Retry now' }).count()).resolves.toBe(0);
    const audit = await page.request.get(`/api/audit?filter=${encodeURIComponent(JSON.stringify({ entity_id: pending.id }))}`);
    const actions = ((await audit.json()) as { action: string }[]).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['credit.delivery_given_up', 'credit.delivery_retried']));
  });
});
