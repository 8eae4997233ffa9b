/** The eth suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { headersForward } from './headers-basic.js';

export const ETH_TESTS: readonly ConformanceTest[] = [...headersForward];
