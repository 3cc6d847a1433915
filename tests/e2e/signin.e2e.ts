import { describe, expect, test } from 'vitest';
import { useBrowserTest } from './harness.ts';
import { saveScreenshot } from './screenshots.ts';
import { appBar, demoAccounts, signInAs, signInButton, submitSignIn } from './signIn.ts';

const browserTest = useBrowserTest();

describe('signing in', () => {
  test('the demo lead signs in and sees the console shell with their name and role', async () => {
    const { page } = browserTest;
    const lead = demoAccounts.lead;
    await browserTest.open('/');

    await signInButton(page).waitFor();
    await expect(page.getByRole('heading', { name: 'Token Desk' }).isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Email').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
    await saveScreenshot(page, 'sign-in');

    await submitSignIn(page, lead.email, lead.password);

    const bar = appBar(page);
    await bar.getByText(lead.name).waitFor();
    await expect(bar.getByText('Token Desk').isVisible()).resolves.toBe(true);
    await expect(bar.getByText(lead.role, { exact: true }).isVisible()).resolves.toBe(true);
    await expect(signInButton(page).count()).resolves.toBe(0);
    // The shell fetches its first data after the bar appears; shoot once it has settled.
    await page.waitForLoadState('networkidle');
    await saveScreenshot(page, 'shell');
  });

  test('a wrong password shows an error and stays on the sign-in page', async () => {
    const { page, problems } = browserTest;
    // The server answers a wrong password with 401, which Chromium logs as a failed load.
    problems.allow(/status of 401 .*\/api\/auth\/login\b/);
    await browserTest.open('/');
    await signInButton(page).waitFor();

    await submitSignIn(page, demoAccounts.lead.email, 'not-the-password');

    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/wrong|invalid|incorrect/i);
    await expect(signInButton(page).isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(demoAccounts.lead.email);
    await expect(appBar(page).count()).resolves.toBe(0);
    expect(new URL(page.url()).hash).toMatch(/login/);
  });

  test.each(Object.values(demoAccounts))('the documented demo account $email signs in as $role', async (account) => {
    const { page } = browserTest;
    await signInAs(page, account);
    await expect(appBar(page).getByText(account.role, { exact: true }).isVisible()).resolves.toBe(true);
  });
});
