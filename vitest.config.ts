import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Interop tests open real sockets on loopback; give them room but never hang CI.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two files at a time even on a 2-core machine (vitest's default there is one): the
    // long files (whole conformance runs, the self-check, the ethereumjs runs) mostly wait
    // on sockets and timers, so running them side by side halves CI's wall time.
    maxWorkers: 2,
  },
});
