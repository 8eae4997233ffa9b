/** The sync suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { legacyBestPeer, legacyCompletes, legacyRequestCaps } from './legacy.js';
import { LIAR_TESTS } from './liars.js';
import { modernEngineSync } from './modern.js';

export const SYNC_TESTS: readonly ConformanceTest[] = [legacyCompletes, legacyBestPeer, legacyRequestCaps, ...LIAR_TESTS, modernEngineSync];
