/** The discv4 suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';

export const DISCV4_TESTS: readonly ConformanceTest[] = [];
