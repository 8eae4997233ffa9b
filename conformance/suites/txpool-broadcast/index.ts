/** The txpool-broadcast suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';

export const TXPOOL_BROADCAST_TESTS: readonly ConformanceTest[] = [];
