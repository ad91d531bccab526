import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    // Two cores: keep worker count modest so socket and e2e tests are not starved.
    maxWorkers: 2,
    server: {
      deps: {
        // electron-store imports `electron` at load; inlining lets vi.mock('electron') reach it.
        inline: ['electron-store'],
      },
    },
  },
});
