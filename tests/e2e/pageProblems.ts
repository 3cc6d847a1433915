import type { ConsoleMessage, Page, Response } from 'playwright-core';

/**
 * Collects what must never pass silently in a browser test: console errors
 * (React warnings, CSP violations and failed loads all arrive as these),
 * uncaught page errors, and 5xx answers from the server under test.
 */
export interface PageProblems {
  /** Tolerates console errors matching this pattern for the rest of the test, e.g. the 401 a wrong password earns. */
  allow(pattern: RegExp): void;
  /** The problems seen so far that no pattern allows. */
  unexpected(): string[];
}

/**
 * Console errors every test tolerates. While signed out, the SPA asks
 * /api/auth/me whether a session exists and the server answers 401, which
 * Chromium reports as a console error: that is the protocol, not a fault.
 */
const alwaysAllowed: RegExp[] = [/status of 401 .*\/api\/auth\/me\b/];

function describeConsoleMessage(message: ConsoleMessage): string {
  // A failed load names its URL only in the location, so put it in the text patterns match.
  const { url } = message.location();
  return url ? `console error: ${message.text()} (${url})` : `console error: ${message.text()}`;
}

export function watchPageProblems(page: Page, serverBaseUrl: string): PageProblems {
  const seen: string[] = [];
  const allowed = [...alwaysAllowed];

  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') seen.push(describeConsoleMessage(message));
  });
  page.on('pageerror', (error: Error) => {
    seen.push(`uncaught page error: ${error.stack ?? error.message}`);
  });
  page.on('response', (response: Response) => {
    if (response.status() >= 500 && response.url().startsWith(serverBaseUrl)) {
      seen.push(`server error: ${response.status()} ${response.request().method()} ${response.url()}`);
    }
  });

  return {
    allow(pattern) {
      allowed.push(pattern);
    },
    unexpected() {
      return seen.filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
    },
  };
}
