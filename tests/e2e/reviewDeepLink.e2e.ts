import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { artifactsRun, mayaChatUrl } from './creditFlow.ts';
import { useBrowserTest } from './harness.ts';
import { demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest(async () => ({ env: { HELPDESK_TICKET_URL: 'https://support.example.com/tickets/{ticket}' } }));

/** Maya Chen's time zone in the demo story (server/seed/stories.ts). */
const mayaTimeZone = 'America/Los_Angeles';

/** What `timeZone`'s clocks read at `iso`, as a helpdesk sends a time without an offset ("2026-12-04T09:03"). */
function wallTime(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

async function runStartedAt(page: Page, runId: string): Promise<string> {
  const answer = await page.request.get(`/api/generations/${runId}`);
  expect(answer.status()).toBe(200);
  return ((await answer.json()) as { started_at: string }).started_at;
}

describe('a helpdesk link with the ticket’s context', () => {
  test('opens the chat review narrowed to the reported time and fills the ticket into the credit form', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);
    // The customer says "around five past" on her own clock, and her ticket carries the chat ID in capitals.
    const started = await runStartedAt(page, artifactsRun);
    const reported = wallTime(new Date(Date.parse(started) + 5 * 60_000).toISOString(), mayaTimeZone);
    const ticket = {
      ticket: 'ZD-48213',
      at: reported,
      expected: 'A clean product shot of the mug on marble',
      received: 'Stripe glitches across the image',
    };
    await browserTest.open(`/#/lookup?${new URLSearchParams({ q: mayaChatUrl.toUpperCase(), ...ticket })}`);

    await page.waitForURL(/#\/chats\/c0ffee00-0000-4000-8000-000000000001\/show\?/);
    const fromTicket = page.getByRole('region', { name: 'From the ticket' });
    await expect(fromTicket.getByRole('link', { name: /ZD-48213/ }).getAttribute('href')).resolves.toBe('https://support.example.com/tickets/ZD-48213');
    await fromTicket.getByText(ticket.expected).waitFor();
    await expect(page.getByRole('textbox', { name: 'Reported time' }).inputValue()).resolves.toBe(reported.replace('T', ' '));
    await page.getByRole('status').filter({ hasText: /^From the ticket: showing runs started/ }).waitFor();

    const runs = page.getByRole('region', { name: 'Runs' });
    await runs.getByRole('row').filter({ hasText: artifactsRun }).waitFor();
    await runs.getByRole('link', { name: `Credit this run (${artifactsRun})` }).click();

    await page.getByLabel(`Tokens for ${artifactsRun}`).waitFor();
    const query = new URL(page.url().replace('/#/', '/')).searchParams;
    expect(Object.fromEntries(query)).toEqual({ runs: artifactsRun, ...ticket });
    await expect(page.getByLabel('Ticket reference').inputValue()).resolves.toBe(ticket.ticket);
    await expect(page.getByLabel('What the customer expected').inputValue()).resolves.toBe(ticket.expected);
    await expect(page.getByLabel('What they received').inputValue()).resolves.toBe(ticket.received);
  });

  test('finds a chat pasted in capitals into the lookup box', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);

    const lookup = page.getByLabel('Look up a chat, customer, run or transaction');
    await lookup.fill('C0FFEE00-0000-4000-8000-000000000001');
    await lookup.press('Enter');

    await page.waitForURL(/#\/chats\/c0ffee00-0000-4000-8000-000000000001\/show$/);
    await page.getByRole('region', { name: 'Runs' }).getByRole('row').filter({ hasText: artifactsRun }).waitFor();
  });
});

describe('runs an agent can recognise', () => {
  test('previews an image at full size and plays a video in a dialog, without leaving the chat review', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);
    await browserTest.open('/#/chats/c0ffee00-0000-4000-8000-000000000001/show');
    const reviewUrl = page.url();

    await page.getByRole('button', { name: `Preview image 1 of run ${artifactsRun}` }).click();
    const imageDialog = page.getByRole('dialog', { name: /^Image 1 of 2 of run gen_maya_artifacts$/ });
    const image = imageDialog.getByRole('img');
    await image.waitFor();
    await expect(image.evaluate((element: HTMLImageElement) => element.decode().then(() => element.naturalWidth))).resolves.toBeGreaterThan(0);
    // As large as the window lets it be, never blown up past its own size: far larger than the 64-pixel thumbnail.
    const shown = await image.evaluate((element: HTMLImageElement) => ({ width: element.clientWidth, height: element.clientHeight, natural: element.naturalWidth }));
    expect(shown.width).toBeLessThanOrEqual(shown.natural);
    expect(Math.max(shown.width, shown.height)).toBeGreaterThan(500);
    await imageDialog.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('dialog', { name: /^Image 2 of 2 of run gen_maya_artifacts$/ }).waitFor();
    await page.keyboard.press('Escape');
    await imageDialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Preview video 1 of run gen_maya_video_ok' }).click();
    const video = page.getByRole('dialog', { name: 'Video 1 of 1 of run gen_maya_video_ok' }).locator('video');
    await video.waitFor();
    await page.waitForFunction(
      (element) => element instanceof HTMLVideoElement && !element.paused && element.currentTime > 0,
      await video.elementHandle(),
      { timeout: 15_000 },
    );
    expect(page.url()).toBe(reviewUrl);
  });

  test('shows run times on the customer’s clock when asked, and remembers it after a reload', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);
    await browserTest.open(`/#/generations/${artifactsRun}/show`);
    const started = await runStartedAt(page, artifactsRun);

    await page.getByRole('button', { name: `the customer’s (${mayaTimeZone})` }).click();
    const onHerClock = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'long', timeZone: mayaTimeZone }).format(new Date(started));
    await page.getByText(onHerClock, { exact: true }).first().waitFor();

    await page.reload();
    await page.getByText(onHerClock, { exact: true }).first().waitFor();
    await expect(page.getByRole('button', { name: `the customer’s (${mayaTimeZone})` }).getAttribute('aria-pressed')).resolves.toBe('true');
  });
});
