import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { artifactsRun, creditRunFromChat, mayaChatUrl, openChatReview } from './creditFlow.ts';
import { useBrowserTest } from './harness.ts';
import { saveScreenshot } from './screenshots.ts';
import { appBar, demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest();


async function signOut(page: Page): Promise<void> {
  await appBar(page).getByRole('button', { name: /: account menu$/ }).click();
  await page.getByRole('menuitem', { name: 'Logout' }).click();
  await page.getByRole('button', { name: /^sign in$/i }).waitFor();
}

/** "1,234 tokens" → 1234 */
const tokensIn = (text: string, label: RegExp): number => {
  const match = label.exec(text);
  if (!match) throw new Error(`No ${label} in: ${text}`);
  return Number(match[1].replace(/,/g, ''));
};

describe('crediting a case', () => {
  test('the demo agent credits a run with visual artifacts from the chat URL; the lead finds the grant in the audit log', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);

    // The ticket's chat URL, pasted into the lookup box, opens the chat review.
    await openChatReview(page, mayaChatUrl);
    await creditRunFromChat(page, artifactsRun);

    // The form: the run's eligibility, its tokens prefilled with the suggestion.
    const formRow = page.getByRole('row', { name: `Run ${artifactsRun}` });
    const tokens = formRow.getByLabel(`Tokens for ${artifactsRun}`);
    await tokens.waitFor();
    await expect(tokens.inputValue()).resolves.toBe('20');
    await expect(formRow.getByText('No refund').isVisible()).resolves.toBe(true);
    await page.getByRole('combobox', { name: 'Reason' }).click();
    await page.getByRole('option', { name: 'Visual artifacts' }).click();
    await page.getByLabel('Ticket reference').fill('ZD-48213');
    await page.getByLabel('What the customer expected').fill('A clean product shot of the mug on marble');
    await page.getByLabel('What they received').fill('Horizontal stripe glitches across the image and a truncated second render');
    await page.getByText('Total: 20 tokens').waitFor();
    await saveScreenshot(page, 'credit-form');

    // The confirmation states the amount, the customer and the balance before and after.
    await page.getByRole('button', { name: 'Review the credit…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Credit 20 tokens to Maya Chen?' });
    await dialog.waitFor();
    const confirmation = (await dialog.textContent()) ?? '';
    expect(confirmation).toContain('Applies at once');
    const before = tokensIn(confirmation, /Balance now([\d,-]+) tokens/);
    const after = tokensIn(confirmation, /Balance after([\d,-]+) tokens/);
    expect(after).toBe(before + 20);
    await dialog.getByRole('button', { name: 'Confirm: credit 20 tokens' }).click();

    // The outcome: applied, with the balance the server reports.
    const outcome = page.getByRole('status').filter({ hasText: 'Credited 20 tokens' });
    await outcome.waitFor();
    expect(tokensIn((await outcome.textContent()) ?? '', /new balance: ([\d,-]+) tokens/)).toBe(after);
    await expect(page.getByRole('button', { name: 'Copy reply' }).isVisible()).resolves.toBe(true);
    const creditId = /Credit (crd_[\w-]+)/.exec((await outcome.textContent()) ?? '')?.[1];
    expect(creditId).toBeTruthy();
    await saveScreenshot(page, 'credit-applied');

    // The lead sees the grant in the audit log, with the chain intact.
    await signOut(page);
    await signInAs(page, demoAccounts.lead);
    await page.getByRole('menuitem', { name: 'Audit log' }).click();
    const appliedEvent = page.getByRole('row').filter({ hasText: 'Credit applied' }).filter({ hasText: creditId as string });
    await appliedEvent.waitFor();
    await expect(appliedEvent.getByText(/Ada Agent/).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('row').filter({ hasText: 'Credit requested' }).filter({ hasText: creditId as string }).count()).resolves.toBe(1);
    await page.getByText(/^Audit chain OK: [\d,]+ events verified$/).waitFor();
    await page.waitForLoadState('networkidle');
    await saveScreenshot(page, 'audit-log');
  });
});
