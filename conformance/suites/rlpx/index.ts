/** The rlpx suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { FRAME_TESTS } from './frame.js';
import { HANDSHAKE_TESTS } from './handshake.js';
import { SNAPPY_TESTS } from './snappy.js';

export const RLPX_TESTS: readonly ConformanceTest[] = [...HANDSHAKE_TESTS, ...FRAME_TESTS, ...SNAPPY_TESTS];
