import { describe, expect, test } from 'vitest';
import { INITIAL_JS_BUDGET_KB, initialJsGzipKb } from './bundleSize.ts';

// The browser tests' global setup has just built client/dist from the current sources.
describe('the SPA bundle', () => {
  test(`keeps its initial JavaScript within ${INITIAL_JS_BUDGET_KB} kB gzip`, () => {
    const { files, kb } = initialJsGzipKb();
    expect(files.length).toBeGreaterThan(0);
    expect(kb, `initial JS is ${kb.toFixed(1)} kB gzip over ${files.length} files`).toBeLessThanOrEqual(INITIAL_JS_BUDGET_KB);
  });
});
