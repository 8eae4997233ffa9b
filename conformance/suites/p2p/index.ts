/** The p2p suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { DISCONNECT_TESTS } from './disconnect.js';
import { HELLO_TESTS } from './hello.js';
import { MSGID_TESTS } from './msgid.js';
import { PING_TESTS } from './ping.js';

export const P2P_TESTS: readonly ConformanceTest[] = [...HELLO_TESTS, ...MSGID_TESTS, ...PING_TESTS, ...DISCONNECT_TESTS];
