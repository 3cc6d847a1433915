import type { Locator, Page } from 'playwright-core';

export interface DemoAccount {
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly role: 'agent' | 'lead' | 'admin';
}

/**
 * The demo staff a fresh non-production database gets, as the README and the
 * start-up banner document them. Written out here rather than imported from
 * the server, so the test notices if the documented accounts stop working.
 */
export const demoAccounts = {
  agent: { email: 'agent@tokendesk.test', password: 'demo-agent-pass', name: 'Ada Agent', role: 'agent' },
  lead: { email: 'lead@tokendesk.test', password: 'demo-lead-pass', name: 'Lee Lead', role: 'lead' },
  admin: { email: 'admin@tokendesk.test', password: 'demo-admin-pass', name: 'Ari Admin', role: 'admin' },
} as const satisfies Record<string, DemoAccount>;

export function signInButton(page: Page): Locator {
  return page.getByRole('button', { name: /^sign in$/i });
}

/** Fills and sends the sign-in form; the page must already show it. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await signInButton(page).click();
}

/** The console's top bar, which only a signed-in user sees. */
export function appBar(page: Page): Locator {
  return page.getByRole('banner');
}

/** Opens the app, signs in and waits until the shell shows who is signed in. */
export async function signInAs(page: Page, account: DemoAccount): Promise<void> {
  await page.goto('/');
  await signInButton(page).waitFor();
  await submitSignIn(page, account.email, account.password);
  await appBar(page).getByText(account.name).waitFor();
}
