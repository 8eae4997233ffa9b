/**
 * Which tests must catch each fault of reference-node/faults/discv4.ts: the
 * self-check runs these ids against the node with the fault planted and
 * requires at least one of them to fail.
 */
export const DISCV4_EXPECTATIONS: Readonly<Record<string, readonly string[]>> = {
  'discv4-findnode-without-bond': ['discv4/findnode/without-endpoint-proof', 'discv4/amplification/wrong-ip'],
  'discv4-proof-from-any-pong': ['discv4/amplification/invalid-pong-hash', 'discv4/amplification/pong-from-other-ip'],
  'discv4-neighbors-oversize': ['discv4/neighbors/packet-size'],
  'discv4-accept-expired': ['discv4/ping/past-expiration', 'discv4/findnode/past-expiration', 'discv4/enr/past-expiration'],
  'discv4-accept-bad-hash': ['discv4/packet/bad-hash'],
  'discv4-pong-wrong-ping-hash': ['discv4/ping/basic'],
  'discv4-pong-to-claimed-from': ['discv4/ping/reply-to-source-address', 'discv4/ping/wrong-from'],
  'discv4-reject-ping-version': ['discv4/ping/version-555'],
  // Without a ping-back no node can complete the endpoint proof, so FINDNODE is never answered either.
  'discv4-no-ping-back': ['discv4/ping/ping-back', 'discv4/findnode/basic'],
  'discv4-table-claimed-endpoint': ['discv4/neighbors/no-claimed-endpoint', 'discv4/neighbors/observed-endpoint'],
  'discv4-add-unsolicited-neighbors': ['discv4/findnode/unsolicited-neighbors'],
  'discv4-no-enr-response': ['discv4/enr/request-answered'],
  'discv4-enr-seq-mismatch': ['discv4/enr/seq-matches-pong'],
  'discv4-no-enr-refresh': ['discv4/enr/stale-refresh'],
};
