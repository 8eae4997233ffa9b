/** The p2p suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { pingAnswered } from './ping.js';

export const P2P_TESTS: readonly ConformanceTest[] = [pingAnswered];
