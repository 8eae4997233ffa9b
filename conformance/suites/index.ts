/** Every conformance test, suite by suite, in report order. Ids are unique (checked by a test). */
import type { ConformanceTest } from '../core/test.js';
import { RLPX_TESTS } from './rlpx/index.js';
import { P2P_TESTS } from './p2p/index.js';
import { ETH_TESTS } from './eth/index.js';
import { DISCV4_TESTS } from './discv4/index.js';
import { TXPOOL_BROADCAST_TESTS } from './txpool-broadcast/index.js';
import { BLOCK_BROADCAST_TESTS } from './block-broadcast/index.js';
import { SYNC_TESTS } from './sync/index.js';

export const ALL_TESTS: readonly ConformanceTest[] = [
  ...DISCV4_TESTS,
  ...RLPX_TESTS,
  ...P2P_TESTS,
  ...ETH_TESTS,
  ...TXPOOL_BROADCAST_TESTS,
  ...BLOCK_BROADCAST_TESTS,
  ...SYNC_TESTS,
];
