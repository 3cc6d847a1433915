import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: no tool may download its own browser on these machines. */
export const chromiumPath = '/usr/bin/chromium';

/** The 1280x800 viewport every test page (and so every README screenshot) uses. */
export const viewport = { width: 1280, height: 800 } as const;

export function assertChromiumInstalled(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Browser tests need Debian's Chromium at ${chromiumPath}. Install it with: ` +
        'sudo apt-get update && sudo apt-get install -y chromium',
    );
  }
}

/**
 * Launches headless Chromium. No --user-data-dir: playwright refuses it and
 * gives each context its own fresh profile anyway. The other flags keep
 * Chromium from phoning home, which fails (and stalls) on these machines.
 */
export async function launchBrowser(): Promise<Browser> {
  assertChromiumInstalled();
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
