import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { useBrowserTest } from './harness.ts';
import { demoAccounts, signInAs, type DemoAccount } from './signIn.ts';

const browserTest = useBrowserTest();

/** The console's promise for its menu counts and home lists: another session's change shows within this, without a reload. */
const LIVE_WITHIN_MS = 30_000;

interface ApiSession {
  request: APIRequestContext;
  csrf: string;
  close(): Promise<void>;
}

/** A second person at another computer: a browser context of its own, signed in through the API. */
async function secondSession(page: Page, account: DemoAccount): Promise<ApiSession> {
  const browser = page.context().browser();
  if (!browser) throw new Error('The page has no browser to open a second session in');
  const context = await browser.newContext({ baseURL: browserTest.server.baseUrl });
  const login = await context.request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  expect(login.status()).toBe(200);
  const { csrf_token: csrf } = (await login.json()) as { csrf_token: string };
  return { request: context.request, csrf, close: () => context.close() };
}

/** Marks the document, so a test can tell that what it saw arrived without a reload. */
const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { homeE2eMark: true }));
const documentKept = (page: Page) => page.evaluate(() => (window as unknown as { homeE2eMark?: boolean }).homeE2eMark === true);

/** The number on the menu's "Approvals" entry (0 when it shows none). */
async function approvalsCount(page: Page): Promise<number> {
  const text = (await page.getByRole('menuitem', { name: /^Approvals/ }).textContent()) ?? '';
  const match = /(\d[\d,]*)$/.exec(text.trim());
  return match ? Number(match[1].replace(/,/g, '')) : 0;
}

/** A goodwill credit: it waits for a lead's approval whoever asks (the demo policy). */
async function requestGoodwill(session: ApiSession, ticket: string): Promise<string> {
  const customers = await session.request.get(`/api/customers?${new URLSearchParams({ range: '[0,0]' })}`);
  const [customer] = (await customers.json()) as { id: string }[];
  const answer = await session.request.post('/api/credits', {
    headers: { 'X-CSRF-Token': session.csrf, 'Idempotency-Key': `home-e2e-${ticket}` },
    data: { customer_id: customer.id, items: [], amount: 25, reason: 'goodwill', ticket_ref: ticket, expected: 'A working export', received: 'A broken one' },
  });
  expect(answer.status()).toBe(202);
  return ((await answer.json()) as { id: string }).id;
}

describe('live counts and homes', () => {
  test('the Approvals count of a lead goes up, without a reload, when an agent elsewhere requests a credit that waits', { timeout: 90_000 }, async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.lead);
    await page.getByRole('heading', { name: 'Your credits' }).waitFor();
    await page.waitForLoadState('networkidle');
    const before = await approvalsCount(page);
    await markDocument(page);

    const agent = await secondSession(page, demoAccounts.agent);
    try {
      await requestGoodwill(agent, 'E2E-LIVE-1');
    } finally {
      await agent.close();
    }

    await expect.poll(() => approvalsCount(page), { timeout: LIVE_WITHIN_MS, interval: 500 }).toBe(before + 1);
    await expect(documentKept(page)).resolves.toBe(true);
    // The lead's home counts the same credits.
    await page.getByRole('region', { name: 'Approvals waiting' }).getByText(`${before + 1} credits wait`).waitFor({ timeout: LIVE_WITHIN_MS });
  });

  test('an agent\'s home lists their credits and pending requests, and tells them when a lead decided one', { timeout: 90_000 }, async () => {
    const { page } = browserTest;
    const agent = await secondSession(page, demoAccounts.agent);
    let creditId: string;
    try {
      creditId = await requestGoodwill(agent, 'E2E-HOME-1');
    } finally {
      await agent.close();
    }

    await signInAs(page, demoAccounts.agent);
    const yours = page.getByRole('region', { name: 'Your credits' });
    await yours.waitFor();
    // Waiting for approval, and among the latest with its status; the lead's overview is not the agent's.
    await yours.getByRole('link', { name: creditId }).first().waitFor();
    await yours.getByText('Waiting for approval', { exact: true }).first().waitFor();
    await yours.getByText('Applied', { exact: true }).first().waitFor();
    await expect(page.getByRole('region', { name: 'Approvals waiting' }).count()).resolves.toBe(0);
    await page.waitForLoadState('networkidle');
    await markDocument(page);

    const lead = await secondSession(page, demoAccounts.lead);
    try {
      const approved = await lead.request.post(`/api/credits/${creditId}/approve`, { headers: { 'X-CSRF-Token': lead.csrf } });
      expect(approved.status()).toBe(200);
    } finally {
      await lead.close();
    }

    const decided = page.getByRole('region', { name: /^Decided (since you last looked|in the last 24 hours)$/ });
    await decided.getByText(`Approved by ${demoAccounts.lead.name}`, { exact: false }).first().waitFor({ timeout: LIVE_WITHIN_MS });
    await expect(decided.getByRole('link', { name: creditId }).count()).resolves.toBe(1);
    await expect(documentKept(page)).resolves.toBe(true);

    // Looked at: the next visit starts from here, and has nothing new to tell.
    await page.reload();
    await page.getByText('No credit of yours was decided since you last looked', { exact: false }).waitFor();
  });

  test('a lead\'s home shows what waits for a lead: approvals, missing refunds, failing deliveries, today against yesterday', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.lead);
    const pending = await page.request.get(`/api/credits?${new URLSearchParams({ filter: '{"status":"pending_approval"}', range: '[0,0]' })}`);
    const waiting = Number(pending.headers()['content-range']?.split('/')[1]);
    await page.getByRole('region', { name: 'Approvals waiting' }).getByText(`${waiting} ${waiting === 1 ? 'credit waits' : 'credits wait'}`).waitFor();
    // The demo data leaves a few charged failures without their auto-refund on purpose.
    await page.getByRole('region', { name: 'Missing refunds' }).getByText(/^\d[\d,]*\+?$/).first().waitFor();
    await page.getByRole('region', { name: 'Failing deliveries' }).getByText(/events? failing$/).waitFor();
    await page.getByRole('region', { name: 'Credits today' }).getByText(/than yesterday|as many as yesterday/).waitFor();
    await page.getByRole('region', { name: 'Your credits' }).waitFor();

    // Both homes keep to WCAG 2.1 AA, as every other screen does (accessibility.e2e.ts).
    await page.waitForLoadState('networkidle');
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.map((violation) => `${violation.id}: ${violation.nodes.slice(0, 2).map((node) => node.html.slice(0, 120)).join(' | ')}`)).toEqual([]);
  });
});
