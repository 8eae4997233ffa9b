import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Interop tests open real sockets on loopback; give them room but never hang CI.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
