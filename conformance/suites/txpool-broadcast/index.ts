/** The txpool-broadcast suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { announceTests } from './announce.js';
import { echoTests } from './echo.js';
import { fetcherCapTests, fetcherRequestTests } from './fetcher.js';
import { initialTests } from './initial.js';
import { replacementTests } from './replacement.js';
import { splitTests } from './split.js';

export const TXPOOL_BROADCAST_TESTS: readonly ConformanceTest[] = [
  ...splitTests,
  ...announceTests,
  ...echoTests,
  ...initialTests,
  ...fetcherRequestTests,
  ...fetcherCapTests,
  ...replacementTests,
];
