/**
 * Which tests must catch each fault of reference-node/faults/eth.ts: the
 * self-check runs these ids against the node with the fault planted and
 * requires at least one of them to fail.
 */
const at = (versions: readonly number[], path: string): string[] => versions.map((v) => `eth/${v}/${path}`);
const ALL = [66, 67, 68, 69, 70];

export const ETH_EXPECTATIONS: Readonly<Record<string, readonly string[]>> = {
  'eth-accept-wrong-genesis': [...at(ALL, 'status/genesis-mismatch'), ...at(ALL, 'status/reject-reason')],
  'eth-accept-any-forkid': [...at(ALL, 'status/forkid-unknown-hash'), ...at(ALL, 'status/forkid-passed-next')],
  'eth-wrong-forkid': at(ALL, 'status/own-status'),
  'eth-no-blockrange-validation': [...at([69, 70], 'status/invalid-block-range'), ...at([69, 70], 'block-range/invalid-update')],
  'eth-no-status-timeout': at(ALL, 'status/timeout'),
  'eth-serve-before-status': at(ALL, 'status/not-first'),
  'eth-wrong-request-id': [...at(ALL, 'headers/forward'), ...at(ALL, 'request-id/edge-values')],
  'eth-serve-1025-headers': at(ALL, 'headers/limit-clamped'),
  'eth-ignore-reverse': [...at(ALL, 'headers/reverse'), ...at(ALL, 'headers/skip')],
  'eth-non-canonical-by-number': at([68], 'headers/side-chain-origin'),
  'eth-skip-overflow-wrap': at(ALL, 'headers/skip-overflow'),
  'eth-bodies-wrong-order': at(ALL, 'bodies/match-headers'),
  'eth-receipts-wrong-bloom': at([66, 67, 68], 'receipts/match-headers'),
  'eth-receipts-ignore-first-index': at([70], 'receipts/first-index'),
  'eth-pooled-txs-silent': at(ALL, 'tx/get-pooled-unknown'),
  'eth-accept-postmerge-newblock': [...at([68, 69, 70], 'messages/newblock-post-merge'), ...at([68, 69, 70], 'messages/newblockhashes-post-merge')],
  'eth-accept-oversized-message': at(ALL, 'messages/too-large'),
};
