import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['model/**/*.test.ts', 'properties/**/*.test.ts', 'scenarios/**/*.test.ts', 'reports/**/*.test.ts', 'bin/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
