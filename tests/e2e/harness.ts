import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, type TestContext } from 'vitest';
import { launchBrowser, viewport } from './browser.ts';
import { watchPageProblems, type PageProblems } from './pageProblems.ts';
import { repoRoot } from './paths.ts';
import { startServer, type RunningServer, type ServerOptions } from './server.ts';

export interface BrowserTest {
  /** This file's server, on its own freshly seeded database. */
  readonly server: RunningServer;
  /** This test's page, in a fresh browser context (no cookies from earlier tests). */
  readonly page: Page;
  readonly problems: PageProblems;
  /** Navigates to a path of the app, e.g. '/' or '/#/customers'. */
  open(path?: string): Promise<void>;
}

/** Where a failed test leaves a screenshot of its last screen (ignored by git). */
const failureArtifactsDir = join(repoRoot, 'tests', 'e2e', '.artifacts');

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not ready: use it inside a test, after useBrowserTest() set it up`);
  return value;
}

function fileSafe(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * Sets up the calling test file: one server (with `serverOptions`, read when
 * it starts) and one browser for the file, a
 * fresh browser context and page per test. A test fails if its page logged a
 * console error, threw, or got a 5xx that the test did not expect; a failed
 * test leaves a screenshot in tests/e2e/.artifacts/.
 */
export function useBrowserTest(serverOptions: () => Promise<ServerOptions> = async () => ({})): BrowserTest {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let problems: PageProblems | undefined;

  beforeAll(async () => {
    server = await startServer(await serverOptions());
    browser = await launchBrowser();
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });

  beforeEach(async () => {
    const running = required(server, 'The server');
    context = await required(browser, 'The browser').newContext({ viewport, baseURL: running.baseUrl });
    page = await context.newPage();
    problems = watchPageProblems(page, running.baseUrl);
  });

  afterEach(async ({ task }: TestContext) => {
    const unexpected = problems?.unexpected() ?? [];
    if (page && task.result?.state === 'fail') {
      mkdirSync(failureArtifactsDir, { recursive: true });
      await page.screenshot({ path: join(failureArtifactsDir, `${fileSafe(task.name)}.png`) }).catch(() => undefined);
    }
    await context?.close();
    context = undefined;
    page = undefined;
    problems = undefined;
    if (unexpected.length > 0) {
      throw new Error(
        `The page reported problems this test did not expect:\n- ${unexpected.join('\n- ')}\n` +
          `Server log (last lines):\n${server?.log().slice(-3_000) ?? ''}`,
      );
    }
  });

  return {
    get server() {
      return required(server, 'The server');
    },
    get page() {
      return required(page, 'The page');
    },
    get problems() {
      return required(problems, 'The problem watcher');
    },
    async open(path = '/') {
      await required(page, 'The page').goto(path);
    },
  };
}
