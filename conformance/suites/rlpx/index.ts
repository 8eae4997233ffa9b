/** The rlpx suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { FRAME_TESTS } from './frame.js';
import { HANDSHAKE_TESTS, timeoutNoAuth, timeoutPartialAuth } from './handshake.js';
import { SNAPPY_TESTS } from './snappy.js';

/** Tests that wait out a target's timer go first: the runner starts tests in this order, so they overlap the quick ones. */
const SLOW: readonly ConformanceTest[] = [timeoutNoAuth, timeoutPartialAuth];

export const RLPX_TESTS: readonly ConformanceTest[] = [...SLOW, ...[...HANDSHAKE_TESTS, ...FRAME_TESTS, ...SNAPPY_TESTS].filter((t) => !SLOW.includes(t))];
