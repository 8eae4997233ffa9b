/** The sync suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';

export const SYNC_TESTS: readonly ConformanceTest[] = [];
