import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'model/**/*.test.ts',
      'properties/**/*.test.ts',
      'scenarios/**/*.test.ts',
      'reports/**/*.test.ts',
      'bin/**/*.test.ts',
      'server/**/*.test.ts',
      'conformance/**/*.test.ts',
    ],
    // Generous: the suite shares a 2-core machine with other work; speed is the benchmark's to measure.
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
