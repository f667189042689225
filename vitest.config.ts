import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // TensorFlow state is global per process: isolate files in their own forks.
    pool: 'forks',
    reporters: ['default'],
    // Commands spawned by the tests (bin/duet.js) run the sources under test, not the last build.
    env: { DUET_FROM_SOURCE: '1' },
  },
});
