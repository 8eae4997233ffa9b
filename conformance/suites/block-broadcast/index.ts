/** The block-broadcast suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';

export const BLOCK_BROADCAST_TESTS: readonly ConformanceTest[] = [];
