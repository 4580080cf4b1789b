/**
 * Vitest configuration that runs only the golden-bytes capture (`capture-golden.ts`), which is
 * not a test: it rewrites the fixtures. Used by `vitest run --config test/interop/capture-golden.config.ts`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/interop/capture-golden.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
