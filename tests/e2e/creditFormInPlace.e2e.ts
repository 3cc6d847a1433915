import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { artifactsRun, mayaChatUrl } from './creditFlow.ts';
import { useBrowserTest } from './harness.ts';
import { demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest();

/** Where an element sits in the window, and how wide the window and its content are. */
async function placement(target: Locator) {
  return target.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return {
      left: box.left,
      right: box.right,
      top: box.top,
      bottom: box.bottom,
      clipped: element.scrollWidth > element.clientWidth + 1,
      windowWidth: window.innerWidth,
    };
  });
}

/** Whether the page scrolls sideways: content wider than the window. */
async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** The signed-in person's own API calls, as the console makes them (session cookie and CSRF token). */
async function apiAs(page: Page) {
  const me = await page.request.get('/api/auth/me');
  const { csrf_token: csrf } = (await me.json()) as { csrf_token: string };
  return {
    postCredit: async (body: object) => {
      const answer = await page.request.post('/api/credits', {
        data: body,
        headers: { 'X-CSRF-Token': csrf, 'Idempotency-Key': crypto.randomUUID() },
      });
      expect(answer.status()).toBe(202);
    },
  };
}

describe('the credit form keeps what was typed', () => {
  test('asks before a link, the browser’s Back or closing the tab throws away an unsent credit', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);
    // A helpdesk link opens a new page, as a new tab would.
    await page.goto('about:blank');
    await browserTest.open(`/#/lookup?${new URLSearchParams({ q: mayaChatUrl, ticket: 'ZD-3' })}`);
    const runs = page.getByRole('region', { name: 'Runs' });
    await runs.getByLabel(`Credit this run (${artifactsRun})`).click();
    const note = page.getByLabel('Internal note');
    await note.fill('The customer sent two screenshots');

    // A link inside the console: the form asks, and staying keeps the note.
    await page.getByRole('menuitem', { name: 'Customers' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave without sending?' });
    await leave.waitFor();
    await leave.getByRole('button', { name: 'Stay on the form' }).click();
    await leave.waitFor({ state: 'hidden' });
    await expect(note.inputValue()).resolves.toBe('The customer sent two screenshots');
    expect(page.url()).toContain('#/credits/create');

    // The browser's Back, towards the chat review.
    await page.goBack();
    await leave.waitFor();
    await leave.getByRole('button', { name: 'Stay on the form' }).click();
    await leave.waitFor({ state: 'hidden' });
    expect(page.url()).toContain('#/credits/create');
    await expect(note.inputValue()).resolves.toBe('The customer sent two screenshots');

    // Closing the tab: the browser's own question (answered "leave", so the tab closes).
    const asked = new Promise<string>((resolve) => {
      page.once('dialog', (dialog) => {
        resolve(dialog.type());
        void dialog.accept();
      });
    });
    const closed = new Promise<void>((resolve) => page.once('close', () => resolve()));
    await page.close({ runBeforeUnload: true });
    await expect(asked).resolves.toBe('beforeunload');
    await closed;
  });

  test('leaves the form when the agent chooses to', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);
    await browserTest.open(`/#/credits/create?runs=${artifactsRun}`);
    await page.getByLabel('Internal note').fill('Not needed after all');
    await page.getByRole('menuitem', { name: 'Customers' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave without sending?' });
    await leave.getByRole('button', { name: 'Leave' }).click();
    await page.waitForURL(/#\/customers/);
  });
});

describe('layouts', () => {
  test('the credit form fits a 1024 px screen without sideways scrolling', async () => {
    const { page } = browserTest;
    await page.setViewportSize({ width: 1024, height: 768 });
    await signInAs(page, demoAccounts.agent);
    // One run to credit, one refunded (the long ledger id of its refund must wrap).
    await browserTest.open(`/#/credits/create?runs=${artifactsRun},gen_maya_video_failed`);
    await page.getByLabel(`Tokens for ${artifactsRun}`).waitFor();
    await page.getByText(/Not eligible: Already auto-refunded/).waitFor();

    expect(await scrollsSideways(page)).toBe(false);
    for (const target of [page.getByRole('button', { name: 'Review the credit…' }), page.getByLabel(`Tokens for ${artifactsRun}`), page.getByLabel('What they received')]) {
      const box = await placement(target);
      expect(box.right).toBeLessThanOrEqual(box.windowWidth);
    }
  });

  test('the approval queue keeps Approve, Reject and the whole of "Why it waits" in view at 1280 and 1440 px', async () => {
    const { page } = browserTest;
    // Credits that wait for several reasons at once, so "Why it waits" is as long as it gets.
    await signInAs(page, demoAccounts.agent);
    const agentApi = await apiAs(page);
    for (const amount of [2500, 60]) {
      await agentApi.postCredit({
        customer_id: 'cus_maya_chen',
        items: [],
        amount,
        reason: 'goodwill',
        ticket_ref: `ZD-LONG-REFERENCE-${amount}-FROM-THE-ENTERPRISE-HELPDESK`,
        expected: 'A gesture for the outage',
        received: 'Two failed exports',
      });
    }
    await page.getByRole('banner').getByRole('button', { name: /: account menu$/ }).click();
    await page.getByRole('menuitem', { name: 'Logout' }).click();
    await signInAs(page, demoAccounts.lead);

    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 800 });
      await browserTest.open('/#/approvals');
      const rows = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'Approve' }) });
      await rows.first().waitFor();
      await page.getByText(/above the daily limit/).first().waitFor();
      expect(await rows.count()).toBeGreaterThanOrEqual(3);
      expect(await scrollsSideways(page)).toBe(false);
      for (const row of await rows.all()) {
        for (const name of ['Approve', 'Reject']) {
          const box = await placement(row.getByRole('button', { name }));
          expect(box.left, `${name} at ${width} px`).toBeGreaterThanOrEqual(0);
          expect(box.right, `${name} at ${width} px`).toBeLessThanOrEqual(width);
        }
        const why = await placement(row.getByRole('cell').nth(3));
        expect(why.right, `"Why it waits" at ${width} px`).toBeLessThanOrEqual(width);
        expect(why.clipped, `"Why it waits" at ${width} px`).toBe(false);
      }
    }
  });
});
