import type { Page } from 'playwright-core';

/** The demo story's chat (server/seed/stories.ts): Maya Chen's "product shots". */
export const mayaChatUrl = 'https://studio.example.com/agents/a1/chats/c0ffee00-0000-4000-8000-000000000001';
/** Its first run succeeded with visual glitches: 20 tokens, eligible for a credit. */
export const artifactsRun = 'gen_maya_artifacts';

/** Pastes a chat URL into the lookup box, as an agent does with a ticket, and waits for the chat review's runs. */
export async function openChatReview(page: Page, chatUrl: string): Promise<void> {
  const lookup = page.getByLabel('Look up a chat, customer, run or transaction');
  await lookup.fill(chatUrl);
  await lookup.press('Enter');
  await page.getByRole('region', { name: 'Runs' }).waitFor();
}

/** On the chat review: selects one run and opens the credit form for it, waiting until its tokens are filled in. */
export async function creditRunFromChat(page: Page, runId: string): Promise<void> {
  const runs = page.getByRole('region', { name: 'Runs' });
  const runRow = runs.getByRole('row').filter({ hasText: runId });
  await runRow.waitFor();
  await runRow.getByRole('checkbox').check();
  await runs.getByRole('button', { name: 'Credit selected runs' }).click();
  await page.getByLabel(`Tokens for ${runId}`).waitFor();
}
