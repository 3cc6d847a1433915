import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { viewport } from './browser.ts';
import { useBrowserTest } from './harness.ts';
import { watchPageProblems } from './pageProblems.ts';
import { saveScreenshot } from './screenshots.ts';
import { appBar, demoAccounts, signInAs, signInButton, submitSignIn } from './signIn.ts';

const browserTest = useBrowserTest();

/** The header row of `GET /api/credits/export.csv` (server/exports/exportRoutes.ts). */
const creditCsvHeader = [
  'id', 'created_at', 'status', 'customer_id', 'customer_name', 'amount', 'reason', 'ticket_ref', 'runs', 'requested_by',
  'requested_by_name', 'decided_by_name', 'decided_at', 'decision_reason', 'voided_by_name', 'voided_at', 'void_reason',
  'transaction_id', 'void_transaction_id', 'balance_after', 'expected', 'received', 'note', 'anomalies',
];

/**
 * Makes sure the last 30 days hold an applied credit, so the charts have a bar to click. The demo
 * data normally has weeks of them; should it not, the signed-in lead credits one run through the
 * API, as the credit form would.
 */
async function ensureAppliedCredit(page: Page): Promise<void> {
  const report = (await (await page.request.get('/api/reports/credits?group_by=agent')).json()) as { rows: unknown[] };
  if (report.rows.length > 0) return;
  const { csrf_token: csrf } = (await (await page.request.get('/api/auth/me')).json()) as { csrf_token: string };
  const runs = (await (
    await page.request.get(`/api/generations?${new URLSearchParams({ filter: JSON.stringify({ refund_state: 'none' }), range: '[0,0]' })}`)
  ).json()) as { id: string; customer_id: string; tokens_charged: number }[];
  expect(runs.length).toBe(1);
  const [run] = runs;
  const answer = await page.request.post('/api/credits', {
    headers: { 'X-CSRF-Token': csrf, 'Idempotency-Key': `e2e-${run.id}` },
    data: {
      customer_id: run.customer_id,
      items: [{ generation_id: run.id, tokens: run.tokens_charged }],
      amount: run.tokens_charged,
      reason: 'off_prompt',
      ticket_ref: 'E2E-1',
      expected: 'What the prompt asked for',
      received: 'Something else',
    },
  });
  expect(answer.status()).toBe(201);
}

describe('leads and admins', () => {
  test('the demo lead reads the dashboard, clicks through from a bar to its credits, exports them, and opens the missing-refund queue', { timeout: 120_000 }, async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.lead);
    await ensureAppliedCredit(page);

    await page.getByRole('menuitem', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Lead dashboard' }).waitFor();
    await page.getByRole('button', { name: 'Last 30 days' }).click();
    const agents = page.getByRole('table', { name: 'Credits per agent: figures' });
    await agents.waitFor();
    await page.getByRole('list', { name: 'Flagged credits' }).or(page.getByText('No credit in this period was flagged.')).waitFor();
    await page.getByRole('table', { name: 'Refund health per tool: figures' }).or(page.getByText('No run failed in this period.')).waitFor();
    await page.waitForLoadState('networkidle');
    await saveScreenshot(page, 'dashboard');

    // The first agent's bar, and the credit count the report gives it.
    const firstAgent = agents.getByRole('row').nth(1);
    const agentName = (await firstAgent.getByRole('cell').nth(0).textContent()) ?? '';
    const agentCount = Number(((await firstAgent.getByRole('cell').nth(1).textContent()) ?? '').replace(/,/g, ''));
    expect(agentCount).toBeGreaterThan(0);
    await page.getByRole('region', { name: 'Credits per agent' }).locator('.recharts-bar').first().locator('.recharts-rectangle').first().click();

    await page.waitForURL(/#\/credits\?/);
    const filter = JSON.parse(new URL(page.url().replace('#/', '')).searchParams.get('filter') ?? '{}') as Record<string, string>;
    expect(filter).toMatchObject({ status: 'applied' });
    expect(filter.requested_by).toMatch(/^stf_/);
    // The list behind the bar holds exactly the bar's credits.
    await page.getByText(new RegExp(`of ${agentCount}$`)).waitFor();
    await expect(page.getByText(agentName, { exact: true }).first().isVisible()).resolves.toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^credits-.*\.csv$/);
    const path = await download.path();
    const rows = parse(readFileSync(path, 'utf8'), { bom: true }) as string[][];
    expect(rows[0]).toEqual(creditCsvHeader);
    expect(rows).toHaveLength(agentCount + 1);
    const column = (name: string) => rows[0].indexOf(name);
    for (const row of rows.slice(1)) {
      expect(row[column('status')]).toBe('applied');
      expect(row[column('requested_by')]).toBe(filter.requested_by);
    }

    await page.getByRole('menuitem', { name: /^Missing refunds/ }).click();
    await page.waitForURL(/#\/missing-refunds/);
    // The demo data leaves a few charged failures without their auto-refund on purpose.
    const creditLink = page.getByRole('link', { name: /^Credit the missed refund of run / }).first();
    await creditLink.waitFor();
    await page.waitForLoadState('networkidle');
    await saveScreenshot(page, 'missing-refunds');

    // One click leads to the credit form for that run, with the one reason that suits it.
    await creditLink.click();
    await page.waitForURL(/#\/credits\/create\?runs=/);
    await page.getByRole('combobox', { name: 'Reason' }).filter({ hasText: 'Missed auto-refund' }).waitFor();
  });

  test('the demo admin onboards an agent, who chooses a password, then offboards them: their session ends at once', { timeout: 180_000 }, async () => {
    const { page, server } = browserTest;
    const newcomer = { email: `evi.${Date.now()}@tokendesk.test`, name: 'Evi Example' };
    await signInAs(page, demoAccounts.admin);

    // Onboarding: e-mail, name, role, a confirmation, then the temporary password once.
    await page.getByRole('menuitem', { name: 'Staff' }).click();
    await page.getByRole('link', { name: 'Add staff member' }).click();
    await page.getByLabel('E-mail', { exact: true }).fill(newcomer.email);
    await page.getByLabel('Name', { exact: true }).fill(newcomer.name);
    await page.getByRole('radio', { name: /^Agent/ }).check();
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByRole('dialog', { name: 'Create this account?' }).getByRole('button', { name: 'Create account' }).click();
    const passwordField = page.getByLabel('Temporary password');
    await passwordField.waitFor();
    const temporaryPassword = await passwordField.inputValue();
    expect(temporaryPassword.length).toBeGreaterThanOrEqual(20);
    await page.getByText(`Temporary password for ${newcomer.name}: shown only this once`).waitFor();
    await saveScreenshot(page, 'staff');

    // The newcomer, in a browser of their own: the temporary password leads only to choosing one.
    const browser = page.context().browser();
    if (!browser) throw new Error('The test page has no browser');
    const agentContext = await browser.newContext({ viewport, baseURL: server.baseUrl });
    try {
      const agentPage = await agentContext.newPage();
      const agentProblems = watchPageProblems(agentPage, server.baseUrl);
      await agentPage.goto('/');
      await signInButton(agentPage).waitFor();
      await submitSignIn(agentPage, newcomer.email, temporaryPassword);
      await agentPage.getByRole('heading', { name: 'Choose your password' }).waitFor();
      expect(agentPage.url()).toMatch(/#\/account\/password$/);
      await agentPage.getByLabel('Temporary password').fill(temporaryPassword);
      await agentPage.getByLabel('New password', { exact: true }).fill('a long walk by the quiet river');
      await agentPage.getByLabel('Repeat the new password').fill('a long walk by the quiet river');
      await agentPage.getByRole('button', { name: 'Change password' }).click();
      await appBar(agentPage).getByText(newcomer.name).waitFor();
      await agentPage.getByRole('menuitem', { name: /^Missing refunds/ }).click();
      await agentPage.waitForURL(/#\/missing-refunds/);

      // Offboarding: the admin disables the account after a confirmation that says what it does.
      await page.getByRole('link', { name: 'I have passed it on: open the account' }).click();
      await page.getByRole('heading', { name: newcomer.name, level: 2 }).waitFor();
      await page.getByRole('button', { name: 'Disable…' }).click();
      const dialog = page.getByRole('dialog', { name: `Disable ${newcomer.name}?` });
      await expect(dialog.textContent()).resolves.toContain(`Every session of ${newcomer.name} ends at once`);
      await dialog.getByRole('button', { name: 'Disable and sign out' }).click();
      await page.getByText(`${newcomer.name} is disabled and signed out everywhere.`).waitFor();
      await page.getByText('Disabled', { exact: true }).waitFor();
      // The server has ended the newcomer's session already, before their browser asks anything.
      expect((await agentContext.request.get('/api/auth/me')).status()).toBe(401);

      // The newcomer's next action meets a 401 and the sign-in page.
      // Expected: the refused call (a 401 load, and react-admin's log of its error) is what signs them out.
      agentProblems.allow(/status of 401 /);
      agentProblems.allow(/Sign in to continue\./);
      // Their next action (here: opening the customers page) meets the 401. A background refresh
      // may get there first and unmount the menu, so navigate rather than click a menu item.
      await agentPage.goto('/#/customers');
      await signInButton(agentPage).waitFor();
      await expect(appBar(agentPage).count()).resolves.toBe(0);
      expect(agentProblems.unexpected()).toEqual([]);
    } finally {
      await agentContext.close();
    }
  });
});
