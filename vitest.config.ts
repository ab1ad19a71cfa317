import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            '{exporters,common,cli,collector,cost,rules,alertmanager,deploy,dashboards}/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        // End-to-end tests run the bundled CLI against real Prometheus; build it once first.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/global-setup.ts'] },
      },
    ],
  },
});
