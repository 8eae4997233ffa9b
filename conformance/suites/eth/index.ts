/** The eth suite: every test of it, in report order. */
import type { ConformanceTest } from '../../core/test.js';
import { BLOCK_RANGE_TESTS } from './block-range.js';
import { BODY_TESTS } from './bodies.js';
import { HEADER_TESTS } from './headers.js';
import { headersForward } from './headers-basic.js';
import { MESSAGE_TESTS } from './messages.js';
import { RECEIPT_TESTS } from './receipts.js';
import { REQUEST_ID_TESTS } from './request-ids.js';
import { headersSideChainOrigin } from './side-chain.js';
import { STATUS_TESTS } from './status.js';
import { TRANSACTION_TESTS } from './transactions.js';

export const ETH_TESTS: readonly ConformanceTest[] = [
  ...STATUS_TESTS,
  ...BLOCK_RANGE_TESTS,
  ...headersForward,
  ...HEADER_TESTS,
  ...headersSideChainOrigin,
  ...BODY_TESTS,
  ...RECEIPT_TESTS,
  ...REQUEST_ID_TESTS,
  ...MESSAGE_TESTS,
  ...TRANSACTION_TESTS,
];
