import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { artifactsRun, creditRunFromChat } from './creditFlow.ts';
import { useBrowserTest } from './harness.ts';
import { demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest();

/** WCAG 2.1 level A and AA, the rules axe-core can check on a rendered page. */
const wcagAA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Every rule a screen breaks, with the first offending elements: a readable failure. */
async function violations(page: Page, screen: string): Promise<string[]> {
  await page.waitForLoadState('networkidle');
  const result = await new AxeBuilder({ page }).withTags(wcagAA).analyze();
  return result.violations.map(
    (violation) => `${screen}: ${violation.id} (${violation.help}) at ${violation.nodes.slice(0, 3).map((node) => node.html.slice(0, 160)).join(' | ')}`,
  );
}

/** The demo data's screens as each role meets them (server/seed/stories.ts). */
const agentScreens = [
  '/#/chats/c0ffee00-0000-4000-8000-000000000001/show',
  '/#/customers/cus_maya_chen/show',
  '/#/generations/gen_maya_artifacts/show',
  '/#/generations/gen_maya_video_ok/show',
  '/#/customers',
  '/#/transactions',
  '/#/credits',
];
const leadScreens = ['/#/dashboard', '/#/approvals', '/#/missing-refunds', '/#/audit', '/#/staff', '/#/policy'];

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  test('the sign-in page and the screens an agent works in break no rule', async () => {
    const { page } = browserTest;
    await browserTest.open('/');
    await page.getByRole('button', { name: /^sign in$/i }).waitFor();
    const found = await violations(page, 'sign-in');
    await signInAs(page, demoAccounts.agent);
    for (const screen of agentScreens) {
      await browserTest.open(screen);
      found.push(...(await violations(page, screen)));
    }
    // The credit form, opened from the chat review's selected run.
    await browserTest.open(agentScreens[0]);
    await creditRunFromChat(page, artifactsRun);
    found.push(...(await violations(page, 'credit form')));
    expect(found).toEqual([]);
  });

  test('the screens only leads and admins see break no rule', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.admin);
    const found: string[] = [];
    for (const screen of leadScreens) {
      await browserTest.open(screen);
      found.push(...(await violations(page, screen)));
    }
    expect(found).toEqual([]);
  });
});
