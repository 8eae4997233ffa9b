/** The discv4 suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { ENR_TESTS } from './enr.js';
import { FINDNODE_TESTS } from './findnode.js';
import { NEIGHBORS_TESTS } from './neighbors.js';
import { PACKET_TESTS } from './packet.js';
import { PING_TESTS } from './ping.js';

export const DISCV4_TESTS: readonly ConformanceTest[] = [...PING_TESTS, ...PACKET_TESTS, ...FINDNODE_TESTS, ...NEIGHBORS_TESTS, ...ENR_TESTS];
