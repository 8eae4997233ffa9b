/** The rlpx suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';

export const RLPX_TESTS: readonly ConformanceTest[] = [];
