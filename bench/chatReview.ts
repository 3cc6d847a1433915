import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { chromiumPath, launchBrowser, viewport } from '../tests/e2e/browser.ts';
import type { BenchRow } from './results.ts';
import type { BenchStaff } from './workDatabase.ts';

const TRIES = 21;
/** Target: a pasted chat URL or an opened helpdesk link → the chat review with runs, thumbnails and ledger rendered, p50 ≤ 300 ms. */
const target = [{ metric: 'p50Ms' as const, atMost: 300 }];

const chatUrl = (id: string): string => `https://studio.example.com/agents/a1/chats/${id}`;

/**
 * True once the chat review shows a chat's runs and its ledger entries with
 * nothing still loading: both sections present, no progress bar or skeleton
 * in them, each with rows or its empty message, and every thumbnail of the
 * runs in view decoded. Evaluated in the page on every animation frame.
 */
function reviewRendered(chatId: string): boolean {
  if (!decodeURIComponent(location.hash).includes(chatId)) return false;
  const runs = document.querySelector('section[aria-label="Runs"]');
  const ledger = document.querySelector('section[aria-label="Ledger entries of this chat"]');
  if (!runs || !ledger) return false;
  const settled = (part: Element): boolean =>
    !part.querySelector('[role="progressbar"], .MuiSkeleton-root') && (part.querySelector('tbody tr td') !== null || /\bno\b/i.test(part.textContent ?? ''));
  if (!settled(runs) || !settled(ledger)) return false;
  // Thumbnails load lazily: those below the fold wait for a scroll, as the agent's would.
  return [...runs.querySelectorAll('img')]
    .filter((img) => img.getBoundingClientRect().top < innerHeight)
    .every((img) => img.complete && img.naturalWidth > 0);
}

/**
 * The bench runs under tsx, whose transform names functions through a
 * `__name` helper; a function sent to the page carries that call, so the
 * page gets a do-nothing `__name` before any script (the CSP forbids eval).
 */
const NAME_HELPER = 'globalThis.__name = (fn) => fn;';

/** What the page showed when the review never finished rendering, for the bench's note. */
function reviewState(): string {
  const images = [...document.querySelectorAll('section[aria-label="Runs"] img')] as HTMLImageElement[];
  return JSON.stringify({
    address: decodeURIComponent(location.hash).slice(0, 80),
    sections: [...document.querySelectorAll('section[aria-label]')].map((section) => section.getAttribute('aria-label')),
    loading: document.querySelectorAll('main [role="progressbar"], main .MuiSkeleton-root').length,
    images: images.map((image) => `${image.complete ? 'complete' : 'loading'}:${image.naturalWidth}:${Math.round(image.getBoundingClientRect().top)}`).slice(0, 12),
  });
}

async function waitForReview(page: Page, chatId: string): Promise<void> {
  try {
    await page.waitForFunction(reviewRendered, chatId, { polling: 'raf', timeout: 30_000 });
  } catch (error) {
    throw new Error(`chat ${chatId} not rendered in 30 s: ${await page.evaluate(reviewState).catch(() => 'page gone')}`, { cause: error });
  }
}

function row(name: string, times: number[], note: string): BenchRow {
  times.sort((a, b) => a - b);
  return {
    name,
    checks: target,
    outcome: 'measured',
    p50Ms: times[Math.floor(times.length / 2)],
    p99Ms: times[times.length - 1],
    note,
  };
}

/**
 * The agent's waiting time from a ticket to the chat review, two ways, each
 * over 21 different chats of the seed, one signed-in browser context:
 * - pasted: the console is open; the chat URL is pasted into the lookup box
 *   and Enter pressed; timed from the key to the rendered review;
 * - link: a helpdesk link (`/#/lookup?q=<chat URL>`) opened in a new tab of
 *   the signed-in browser: the SPA loads from the cache, finds the session,
 *   looks the chat up; timed from the navigation to the rendered review.
 */
export async function measureChatReview(appUrl: string, staff: BenchStaff, chatIds: string[]): Promise<BenchRow[]> {
  const names = { pasted: 'pasted chat URL → chat review rendered (Chromium)', link: 'helpdesk link → chat review rendered (Chromium)' };
  if (!existsSync(chromiumPath)) {
    return Object.values(names).map((name) => ({ name, checks: target, outcome: 'not measured' as const, note: `chromium missing at ${chromiumPath}` }));
  }
  if (chatIds.length < 2 * TRIES + 1) throw new Error(`need ${2 * TRIES + 1} sample chats, have ${chatIds.length}`);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ baseURL: appUrl, viewport });
    await context.addInitScript({ content: NAME_HELPER });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: /^sign in$/i }).click();
    const lookupBox = page.getByRole('textbox', { name: /look ?up/i }).first();
    await lookupBox.waitFor();
    // One untimed pass, so the lazy chunks of the chat review are loaded as in a working day.
    await lookupBox.fill(chatUrl(chatIds[0]));
    await lookupBox.press('Enter');
    await waitForReview(page, chatIds[0]);

    const pasted: number[] = [];
    for (const id of chatIds.slice(1, 1 + TRIES)) {
      await lookupBox.fill(chatUrl(id));
      const started = performance.now();
      await lookupBox.press('Enter');
      await waitForReview(page, id);
      pasted.push(performance.now() - started);
    }

    const linked: number[] = [];
    for (const id of chatIds.slice(1 + TRIES, 1 + 2 * TRIES)) {
      const tab = await context.newPage();
      const started = performance.now();
      await tab.goto(`/#/lookup?${new URLSearchParams({ q: chatUrl(id) })}`);
      await waitForReview(tab, id);
      linked.push(performance.now() - started);
      await tab.close();
    }
    await context.close();
    return [
      row(names.pasted, pasted, `median and slowest of ${TRIES} chats, console open and signed in; from Enter to runs, thumbnails and ledger rendered`),
      row(names.link, linked, `median and slowest of ${TRIES} chats, each a new tab of the signed-in browser (SPA from the cache); from navigation to rendered`),
    ];
  } finally {
    await browser.close();
  }
}
