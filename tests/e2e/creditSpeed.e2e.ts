import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { artifactsRun, mayaChatUrl } from './creditFlow.ts';
import { useBrowserTest } from './harness.ts';
import { demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest();

/** Maya Chen's failed video run: the studio refunded its 120 tokens by itself (server/seed/stories.ts). */
const refundedRun = 'gen_maya_video_failed';

/**
 * What the agent does, counted: every click, fill and key press the test makes through it is one
 * interaction. Waiting for the page and reading it are free; that is the point of the budget.
 */
function countedActions() {
  let count = 0;
  return {
    get count(): number {
      return count;
    },
    async click(target: Locator): Promise<void> {
      count += 1;
      await target.click();
    },
    async fill(target: Locator, text: string): Promise<void> {
      count += 1;
      await target.fill(text);
    },
    async press(target: Locator, key: string): Promise<void> {
      count += 1;
      await target.press(key);
    },
  };
}

/** The console opened the way a helpdesk sidebar opens it: the chat URL and what the ticket says. */
function helpdeskLink(ticket: Record<string, string>): string {
  return `/#/lookup?${new URLSearchParams({ q: mayaChatUrl, ...ticket })}`;
}

/** The chat review's row of `runId`, once the runs have loaded. */
async function chatReviewRow(page: Page, runId: string): Promise<Locator> {
  const runs = page.getByRole('region', { name: 'Runs' });
  await runs.waitFor();
  const row = runs.getByRole('row').filter({ hasText: runId });
  await row.waitFor();
  return row;
}

describe('from a helpdesk link to an answer', () => {
  test('credits a run in at most 5 interactions: credit the run, pick the reason, review, confirm', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);
    const ticket = { ticket: 'ZD-1', expected: 'A clean product shot of the mug on marble', received: 'Horizontal stripes across the image' };
    await browserTest.open(helpdeskLink(ticket));
    const agentActions = countedActions();

    await agentActions.click((await chatReviewRow(page, artifactsRun)).getByLabel(`Credit this run (${artifactsRun})`));
    await page.getByLabel(`Tokens for ${artifactsRun}`).waitFor();
    // The form already holds what the ticket said; only the reason is the agent's to choose.
    await expect(page.getByLabel('Ticket reference').inputValue()).resolves.toBe('ZD-1');
    await expect(page.getByLabel('What the customer expected').inputValue()).resolves.toBe(ticket.expected);
    await expect(page.getByLabel('What they received').inputValue()).resolves.toBe(ticket.received);
    await agentActions.click(page.getByRole('combobox', { name: 'Reason' }));
    await agentActions.click(page.getByRole('option', { name: 'Visual artifacts' }));
    await agentActions.click(page.getByRole('button', { name: 'Review the credit…' }));
    await agentActions.click(page.getByRole('dialog', { name: 'Credit 20 tokens to Maya Chen?' }).getByRole('button', { name: 'Confirm: credit 20 tokens' }));

    const outcome = page.getByRole('status').filter({ hasText: 'Credited 20 tokens' });
    await outcome.waitFor();
    expect(agentActions.count).toBeLessThanOrEqual(5);

    // What was applied is what the ticket said.
    const creditId = /Credit (crd_[\w-]+)/.exec((await outcome.textContent()) ?? '')?.[1];
    expect(creditId).toBeTruthy();
    const record = await page.request.get(`/api/credits/${creditId}`);
    expect(record.status()).toBe(200);
    await expect(record.json()).resolves.toMatchObject({
      status: 'applied',
      reason: 'visual_artifacts',
      ticket_ref: 'ZD-1',
      expected: ticket.expected,
      received: ticket.received,
      items: [{ generation_id: artifactsRun, tokens: 20 }],
    });
  });

  test('answers "was this run already refunded, when, how much?" on the chat review row itself', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);
    await browserTest.open(helpdeskLink({ ticket: 'ZD-2' }));
    const agentActions = countedActions();

    const row = await chatReviewRow(page, refundedRun);
    const answer = row.getByText(/^Auto-refunded 120 tokens on .*\d{1,2}:\d{2}/);
    await answer.waitFor();
    expect(agentActions.count).toBeLessThanOrEqual(1);
  });
});
