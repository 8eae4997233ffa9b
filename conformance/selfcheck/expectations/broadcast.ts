/**
 * Which tests must catch each fault of reference-node/faults/broadcast.ts: the
 * self-check runs these ids against the node with the fault planted and
 * requires at least one of them to fail.
 */
export const BROADCAST_EXPECTATIONS: Readonly<Record<string, readonly string[]>> = {
  // The origin is put among the peers that lack the tx: whether it then gets it whole or announced depends on the node's random key.
  'tx-echo-to-sender': ['txpool-broadcast/echo/not-sent-back-whole', 'txpool-broadcast/echo/not-announced-back'],
  'tx-push-to-all': ['txpool-broadcast/67/split/sqrt-push-rest-announce', 'txpool-broadcast/68/split/sqrt-push-rest-announce'],
  'tx-announce-size-off': ['txpool-broadcast/68/announce/type-and-size', 'txpool-broadcast/69/announce/type-and-size', 'txpool-broadcast/70/announce/type-and-size'],
  'tx-no-initial-announce': ['txpool-broadcast/67/initial/pool-announced-to-new-peer', 'txpool-broadcast/68/initial/pool-announced-to-new-peer'],
  'tx-fetch-over-cap': ['txpool-broadcast/fetcher/request-at-most-256-hashes', 'txpool-broadcast/fetcher/request-within-128-kib'],
  'tx-fetch-no-retry': ['txpool-broadcast/fetcher/unanswered-request-moves-on'],
  'txpool-accept-underpriced-replacement': ['txpool-broadcast/replacement/lower-tip-not-propagated'],
  'block-push-to-all': ['block-broadcast/propagate/sqrt-whole-rest-announced'],
  'block-echo-to-sender': ['block-broadcast/propagate/sqrt-whole-rest-announced'],
  'block-repropagate-known': ['block-broadcast/propagate/known-block-not-repropagated'],
  'block-ignore-announcements': ['block-broadcast/fetch/announced-block-imported'],
  'block-keep-bad-peer': ['block-broadcast/newblock/oversized-header', 'block-broadcast/newblock/body-mismatch'],
  'sync-not-best-peer': ['sync/legacy/best-td-peer'],
  'sync-no-drop-liar': ['sync/legacy/lying-headers-peer-dropped', 'sync/legacy/lying-bodies-peer-dropped', 'sync/legacy/withholding-peer-dropped'],
  'sync-oversized-header-request': ['sync/legacy/request-caps'],
  'sync-beacon-ignore-target': ['sync/modern/engine-driven'],
};
