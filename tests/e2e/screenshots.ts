import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from './paths.ts';

const screenshotsDir = join(repoRoot, 'docs', 'screenshots');

/**
 * Saves the page as docs/screenshots/<name>.png for the README. Animations are
 * stopped and the caret hidden so a re-run changes the file only when the
 * screen really changed.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(`Screenshot name "${name}" should be kebab-case, like "sign-in"`);
  }
  mkdirSync(screenshotsDir, { recursive: true });
  const path = join(screenshotsDir, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}
