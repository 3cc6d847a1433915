import { assertChromiumInstalled } from './browser.ts';
import { ensureSpaBuilt } from './spaBuild.ts';

/** Runs once before any browser test: fail fast without Chromium, then make sure the server has an up-to-date SPA to serve. */
export async function setup(): Promise<void> {
  assertChromiumInstalled();
  await ensureSpaBuilt();
}
