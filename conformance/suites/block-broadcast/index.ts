/** The block-broadcast suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { fetchTests } from './fetch.js';
import { invalidTests } from './invalid.js';
import { propagateTests } from './propagate.js';

export const BLOCK_BROADCAST_TESTS: readonly ConformanceTest[] = [...propagateTests, ...fetchTests, ...invalidTests];
