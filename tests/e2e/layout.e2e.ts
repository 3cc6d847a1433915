import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { useBrowserTest } from './harness.ts';
import { demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest();

/** The demo chat of server/seed/stories.ts, pasted as a helpdesk link would give it. */
const demoChatUrl = 'https://studio.example.com/agents/a1/chats/c0ffee00-0000-4000-8000-000000000001';

interface Screen {
  name: string;
  /** The app path to open; a function when it needs a record id from the API. */
  path: string | ((page: Page) => Promise<string>);
  /** Waits for what proves the screen is drawn, beyond the network going quiet. */
  ready: (page: Page) => Promise<void>;
}

/** The newest credit of the demo data: the credit page needs a real one. */
const newestCreditPath = async (page: Page): Promise<string> => {
  const answer = await page.request.get(`/api/credits?${new URLSearchParams({ range: '[0,0]', sort: '["created_at","DESC"]' })}`);
  const [credit] = (await answer.json()) as { id: string }[];
  expect(credit, 'the demo data holds a credit').toBeDefined();
  return `/#/credits/${encodeURIComponent(credit.id)}/show`;
};

/** A list screen is drawn once its table has a row (the demo data fills every list below). */
const listRows = (page: Page) => page.locator('main tbody tr').first().waitFor();

/** Every main screen of the console, as an admin (who sees them all) opens it. */
const screens: Screen[] = [
  { name: 'home', path: '/#/', ready: (page) => page.getByRole('heading', { name: 'Your credits' }).waitFor() },
  {
    name: 'chat review (lookup of the demo chat URL)',
    path: `/#/lookup?${new URLSearchParams({ q: demoChatUrl })}`,
    ready: async (page) => {
      await page.waitForURL(/#\/chats\/c0ffee00-0000-4000-8000-000000000001\/show/);
      await page.getByText('Maya Chen').first().waitFor();
    },
  },
  { name: 'customer', path: '/#/customers/cus_maya_chen/show', ready: (page) => page.getByText('Maya Chen').first().waitFor() },
  { name: 'run', path: '/#/generations/gen_maya_artifacts/show', ready: (page) => page.getByText('Prompt', { exact: true }).first().waitFor() },
  { name: 'runs list', path: '/#/generations', ready: listRows },
  { name: 'ledger', path: '/#/transactions', ready: listRows },
  { name: 'credits list', path: '/#/credits', ready: listRows },
  { name: 'credit page', path: newestCreditPath, ready: (page) => page.getByText('Audit trail', { exact: true }).first().waitFor() },
  { name: 'approvals', path: '/#/approvals', ready: listRows },
  {
    name: 'dashboard',
    path: '/#/dashboard',
    ready: (page) => page.getByRole('table', { name: 'Credits per agent: figures' }).waitFor(),
  },
  { name: 'missing refunds', path: '/#/missing-refunds', ready: listRows },
  { name: 'audit log', path: '/#/audit', ready: listRows },
  { name: 'staff', path: '/#/staff', ready: listRows },
  { name: 'policy', path: '/#/policy', ready: (page) => page.getByRole('heading', { name: 'Credit policy', level: 2 }).waitFor() },
];

/**
 * How far the page is wider than the window, and the deepest elements that reach past its right
 * edge (what to fix), or null when nothing scrolls sideways.
 */
const horizontalOverflow = (page: Page) =>
  page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    const describe = (element: Element): string => {
      const classes = [...element.classList].filter((name) => !name.startsWith('css-')).slice(0, 3);
      return `${element.tagName.toLowerCase()}${classes.length > 0 ? `.${classes.join('.')}` : ''}`;
    };
    const sticking = [...document.body.querySelectorAll('*')]
      .filter((element) => element.getBoundingClientRect().right > root.clientWidth + 0.5)
      .filter((element) => ![...element.children].some((child) => child.getBoundingClientRect().right > root.clientWidth + 0.5))
      .slice(0, 3)
      .map((element) => `${describe(element.parentElement ?? element)} > ${describe(element)} (right edge ${Math.round(element.getBoundingClientRect().right)} px)`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, sticking };
  });

async function openScreen(page: Page, screen: Screen): Promise<void> {
  const path = typeof screen.path === 'string' ? screen.path : await screen.path(page);
  await page.goto(path);
  await screen.ready(page);
  await page.waitForLoadState('networkidle');
  // Nothing may still be loading: a skeleton or spinner is narrower than what replaces it.
  await page.waitForFunction(() => !document.querySelector('main .MuiSkeleton-root, main [role="progressbar"]'));
}

/** The react-admin sidebar's drawer: `RaSidebar-closed` when collapsed to its icons. */
const sidebar = (page: Page) => page.locator('.RaSidebar-docked').first();

describe('layouts that fit the window', () => {
  test('no main screen scrolls sideways at 1280 or 1440 px wide', { timeout: 240_000 }, async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.admin);
    const overflowing: string[] = [];
    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 800 });
      for (const screen of screens) {
        await openScreen(page, screen);
        const overflow = await horizontalOverflow(page);
        if (overflow) {
          overflowing.push(`${width} px, ${screen.name}: ${overflow.scrollWidth} px wide in ${overflow.clientWidth} px; ${overflow.sticking.join('; ')}`);
        }
      }
    }
    expect(overflowing).toEqual([]);
  });

  test('at 1024 px the sidebar starts collapsed, and stays so from screen to screen', async () => {
    const { page } = browserTest;
    await page.setViewportSize({ width: 1024, height: 768 });
    await signInAs(page, demoAccounts.admin);
    await expect(sidebar(page).getAttribute('class')).resolves.toContain('RaSidebar-closed');
    await page.getByRole('menuitem', { name: 'Credits' }).click();
    await page.waitForURL(/#\/credits/);
    await expect(sidebar(page).getAttribute('class')).resolves.toContain('RaSidebar-closed');
    expect((await sidebar(page).boundingBox())?.width).toBeLessThan(80);
  });

  test('at 1280 px the sidebar is open', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.admin);
    await expect(sidebar(page).getAttribute('class')).resolves.toContain('RaSidebar-open');
  });
});
