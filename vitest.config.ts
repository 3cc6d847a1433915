import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Separate from vite.config.ts: that one is rooted at client/, tests live at the repository root.
export default defineConfig({
  test: {
    globals: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          environment: 'node',
          include: ['tests/server/**/*.test.ts'],
          pool: 'forks',
          // Several tests start real processes (the CLI tools, the server); two busy cores make them slow.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'instances',
          environment: 'node',
          include: ['tests/instances/**/*.test.ts'],
          pool: 'forks',
          // Several real server processes on one database file (tests/instances/vitest.config.ts says more).
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        plugins: [react()],
        test: {
          name: 'client',
          environment: 'happy-dom',
          include: ['tests/client/**/*.test.{ts,tsx}'],
          setupFiles: ['tests/client/setup.ts'],
        },
      },
    ],
  },
});
