import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, type TestContext } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { ssoErrorMessages } from '../../shared/singleSignOn.ts';
import { startOidcProvider, type TestOidcProvider } from '../server/support/oidcProvider.ts';
import { launchBrowser, viewport } from './browser.ts';
import { watchPageProblems, type PageProblems } from './pageProblems.ts';
import { repoRoot } from './paths.ts';
import { freePort, startServer, type RunningServer } from './server.ts';
import { appBar, demoAccounts, signInButton } from './signIn.ts';

/**
 * Single sign-on in Chromium: the real server, configured with OIDC_* for a
 * real OpenID provider (oidc-provider) started here. The provider is named
 * `localhost` and the console `127.0.0.1`, so they are different sites, as
 * in production: the way back from the provider is a cross-site navigation,
 * which the Lax state cookie must survive (a Strict one would not).
 *
 * The harness's useBrowserTest() starts its server without extra settings,
 * so this file sets up its own, the same way (one server and browser per
 * file, a fresh context per test, page problems fail the test).
 */
let provider: TestOidcProvider;
let server: RunningServer;
let browser: Browser;
let context: BrowserContext | undefined;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  const port = await freePort();
  provider = await startOidcProvider({ redirectUri: `http://127.0.0.1:${port}/api/auth/oidc/callback`, host: 'localhost' });
  server = await startServer({ port, env: { ...provider.env, OIDC_EMAIL_DOMAIN: 'tokendesk.test' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
    await provider?.close();
  }
});

beforeEach(async () => {
  context = await browser.newContext({ viewport, baseURL: server.baseUrl });
  page = await context.newPage();
  problems = watchPageProblems(page, server.baseUrl);
});

afterEach(async ({ task }: TestContext) => {
  const unexpected = problems.unexpected();
  if (task.result?.state === 'fail') {
    const dir = join(repoRoot, 'tests', 'e2e', '.artifacts');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, `sso-${task.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.png`) }).catch(() => undefined);
  }
  await context?.close();
  context = undefined;
  if (unexpected.length > 0) {
    throw new Error(`The page reported problems this test did not expect:\n- ${unexpected.join('\n- ')}\nServer log (last lines):\n${server.log().slice(-3_000)}`);
  }
});

const ssoLink = (p: Page) => p.getByRole('link', { name: 'Sign in with single sign-on' });

/** From the console's login page through the provider's login screen, as `email`. */
async function signInAtProvider(email: string): Promise<void> {
  await page.goto('/');
  await ssoLink(page).click();
  await page.getByRole('heading', { name: 'Test identity provider' }).waitFor();
  expect(new URL(page.url()).origin).toBe(provider.issuer);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('single sign-on in the browser', () => {
  test('the demo lead signs in through the identity provider and lands in the console', async () => {
    const lead = demoAccounts.lead;
    await page.goto('/');
    await ssoLink(page).waitFor();
    // Password sign-in stays on beside it.
    await expect(signInButton(page).isVisible()).resolves.toBe(true);

    await signInAtProvider(lead.email);

    const bar = appBar(page);
    await bar.getByText(lead.name).waitFor();
    await expect(bar.getByText(lead.role, { exact: true }).isVisible()).resolves.toBe(true);
    expect(page.url()).toBe(`${server.baseUrl}/#/`);
    const cookies = await context?.cookies(server.baseUrl);
    expect(cookies?.map((c) => c.name)).toEqual(['td_session']);

    const db = openDatabase(server.databasePath, { readonly: true });
    try {
      const signIn = db.prepare("SELECT actor_name, after_json FROM audit_events WHERE action = 'auth.login' ORDER BY seq DESC LIMIT 1").get() as { actor_name: string; after_json: string };
      expect(signIn.actor_name).toBe(lead.name);
      expect(JSON.parse(signIn.after_json)).toMatchObject({ method: 'sso' });
    } finally {
      db.close();
    }
  });

  test('someone without a staff account comes back to the login page with the reason', async () => {
    await signInAtProvider('stranger@tokendesk.test');

    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe(ssoErrorMessages.not_staff);
    // The link appears once the sign-in methods have loaded, which may be after the alert.
    await ssoLink(page).waitFor();
    await expect(appBar(page).count()).resolves.toBe(0);
    expect(new URL(page.url()).hash).toBe('#/login?sso_error=not_staff');
  });
});
