/** The p2p suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { DISCONNECT_TESTS } from './disconnect.js';
import { HELLO_TESTS, helloTimeout } from './hello.js';
import { MSGID_TESTS } from './msgid.js';
import { PING_TESTS, targetPings } from './ping.js';

/** Tests that wait out a target's timer go first: the runner starts tests in this order, so they overlap the quick ones. */
const SLOW: readonly ConformanceTest[] = [targetPings, helloTimeout];

export const P2P_TESTS: readonly ConformanceTest[] = [...SLOW, ...[...HELLO_TESTS, ...MSGID_TESTS, ...PING_TESTS, ...DISCONNECT_TESTS].filter((t) => !SLOW.includes(t))];
