import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath, launchBrowser, viewport } from '../tests/e2e/browser.ts';
import type { BenchRow } from './results.ts';
import { distDir, gzipKb } from './spaBundle.ts';
import type { BenchStaff } from './workDatabase.ts';

const TRIES = 5;
/**
 * Target: first screen after sign-in, local, headless Chromium: ≤ 700 ms to a usable lookup box
 * (the product asks ≤ 1 s; 700 ms leaves the margin a slower day takes).
 */
const target = [{ metric: 'p50Ms' as const, atMost: 700 }];

/**
 * From the click on "Sign in" to the app bar's lookup box being visible and
 * editable, in a fresh browser context each try (no cache, no session), after
 * the sign-in page itself has loaded. The median of five tries is held to the
 * target; the slowest is shown too.
 */
export async function measureFirstScreen(appUrl: string, staff: BenchStaff): Promise<BenchRow> {
  const name = 'sign-in → usable lookup box (Chromium)';
  if (!existsSync(chromiumPath)) return { name, checks: target, outcome: 'not measured', note: `chromium missing at ${chromiumPath}` };
  const browser = await launchBrowser();
  const times: number[] = [];
  let pageLoads = 0;
  /** Script files the browser fetched until the lookup box was usable: the initial JS as a browser sees it. */
  const scripts = new Set<string>();
  try {
    for (let i = 0; i < TRIES; i++) {
      const context = await browser.newContext({ baseURL: appUrl, viewport });
      const page = await context.newPage();
      let usable = false;
      page.on('response', (response) => {
        const path = new URL(response.url()).pathname;
        if (!usable && path.endsWith('.js')) scripts.add(path);
      });
      const loadStarted = performance.now();
      await page.goto('/');
      const signIn = page.getByRole('button', { name: /^sign in$/i });
      await signIn.waitFor();
      pageLoads += performance.now() - loadStarted;
      await page.getByLabel('Email').fill(staff.email);
      await page.getByLabel('Password').fill(staff.password);
      const lookupBox = page.getByRole('textbox', { name: /look ?up/i }).or(page.getByRole('searchbox', { name: /look ?up/i }));
      const started = performance.now();
      await signIn.click();
      await lookupBox.first().waitFor({ state: 'visible', timeout: 30_000 });
      if (!(await lookupBox.first().isEditable())) throw new Error('the lookup box showed but is not editable');
      times.push(performance.now() - started);
      usable = true;
      await context.close();
    }
  } catch (error) {
    return { name, checks: target, outcome: 'not measured', note: `the browser run failed: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    await browser.close();
  }
  times.sort((a, b) => a - b);
  const fetchedKb = [...scripts].reduce((sum, path) => {
    const file = join(distDir, path);
    return sum + (existsSync(file) ? gzipKb(file) : 0);
  }, 0);
  return {
    name,
    checks: target,
    outcome: 'measured',
    p50Ms: times[Math.floor(times.length / 2)],
    p99Ms: times[times.length - 1],
    note:
      `median and slowest of ${TRIES} fresh contexts; the sign-in page itself loaded in ${Math.round(pageLoads / TRIES)} ms on average; ` +
      `${scripts.size} JS files (${Math.round(fetchedKb)} kB gzip) were fetched by the time the lookup box was usable`,
  };
}
