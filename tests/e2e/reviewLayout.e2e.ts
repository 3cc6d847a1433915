import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { artifactsRun } from './creditFlow.ts';
import { useBrowserTest } from './harness.ts';
import { demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest();

/** The review screens, each loaded until its tables show rows. */
const screens: { name: string; path: string; ready: (page: Page) => Promise<void> }[] = [
  {
    name: 'chat review',
    path: '/#/chats/c0ffee00-0000-4000-8000-000000000001/show',
    ready: (page) => page.getByRole('region', { name: 'Ledger entries of this chat' }).getByRole('row').nth(1).waitFor(),
  },
  { name: 'customer usage', path: '/#/customers/cus_maya_chen/show', ready: (page) => page.getByRole('row').nth(1).waitFor() },
  { name: 'customer runs', path: '/#/customers/cus_maya_chen/show/runs', ready: (page) => page.getByRole('row').filter({ hasText: artifactsRun }).waitFor() },
  { name: 'run', path: `/#/generations/${artifactsRun}/show`, ready: (page) => page.getByRole('link', { name: /Open original/ }).first().waitFor() },
  { name: 'ledger list', path: '/#/transactions', ready: (page) => page.getByRole('row').nth(1).waitFor() },
  { name: 'runs list', path: '/#/generations', ready: (page) => page.getByRole('row').nth(1).waitFor() },
];

describe('review screens fit the window', () => {
  for (const width of [1280, 1440]) {
    test(`no screen scrolls sideways at ${width} px`, async () => {
      const { page } = browserTest;
      await page.setViewportSize({ width, height: 900 });
      await signInAs(page, demoAccounts.agent);
      const overflowing: string[] = [];
      for (const screen of screens) {
        await browserTest.open(screen.path);
        await screen.ready(page);
        await page.waitForLoadState('networkidle');
        const { scrollWidth, clientWidth, tables } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          // A table may scroll inside its frame rather than widen the page: that is sideways scrolling too.
          tables: [...document.querySelectorAll('.RaDataTable-tableWrapper')].map((frame) => [frame.scrollWidth, frame.clientWidth]),
        }));
        if (scrollWidth > clientWidth) overflowing.push(`${screen.name}: ${scrollWidth} > ${clientWidth}`);
        for (const [tableWidth, frameWidth] of tables) {
          if (tableWidth > frameWidth) overflowing.push(`${screen.name}, a table: ${tableWidth} > ${frameWidth}`);
        }
      }
      expect(overflowing).toEqual([]);
    });
  }
});
