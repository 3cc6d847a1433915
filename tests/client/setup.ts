import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { format } from 'node:util';
import { afterEach, beforeEach, vi } from 'vitest';

// A UI test renders whole react-admin pages; on the shared 2-core machines, with the server
// tests running beside it, one can take several seconds without anything being wrong.
vi.setConfig({ testTimeout: 20_000 });

const guardedLevels = ['error', 'warn'] as const;

/**
 * Output on console.error or console.warn during a UI test is a bug (an act() warning, a
 * missing key, a request nobody expected to fail), so it fails the test that caused it.
 * A test that expects some asserts on `vi.mocked(console.error)` and then calls `mockClear()`.
 */
beforeEach(() => {
  for (const level of guardedLevels) {
    vi.spyOn(console, level).mockImplementation(() => undefined);
  }
});

afterEach(() => {
  cleanup();
  const printed = guardedLevels.flatMap(level =>
    vi.mocked(console[level]).mock.calls.map(args => `console.${level}: ${format(...args)}`),
  );
  vi.restoreAllMocks();
  if (printed.length > 0) {
    throw new Error(`Unexpected console output during the test:\n${printed.join('\n')}`);
  }
});
