import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The test run of mutation testing (`npm run mutation`): the tests that run the model in this
 * process. Tests that run the CLI in a child process never see a mutant, so they are left out;
 * so is the examples test, which writes and imports files of its own.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['bin/**', 'properties/determinism.test.ts', 'model/examples.test.ts', '**/node_modules/**'],
    },
  }),
);
