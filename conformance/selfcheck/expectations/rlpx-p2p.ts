/**
 * Which tests must catch each fault of reference-node/faults/rlpx-p2p.ts: the
 * self-check runs these ids against the node with the fault planted and
 * requires at least one of them to fail.
 */
export const RLPX_P2P_EXPECTATIONS: Readonly<Record<string, readonly string[]>> = {
  'rlpx-skip-frame-mac': ['rlpx/frame/bad-header-mac', 'rlpx/frame/bad-frame-mac', 'rlpx/frame/bad-mac-first-frame'],
  'rlpx-no-snappy-limit': ['rlpx/snappy/bomb'],
  'rlpx-no-handshake-timeout': ['rlpx/handshake/timeout-no-auth', 'rlpx/handshake/timeout-partial-auth'],
  'rlpx-reject-eip8-extra': ['rlpx/handshake/auth-version-mismatch', 'rlpx/handshake/auth-extra-elements'],
  'rlpx-legacy-ack': ['rlpx/handshake/eip8-ack'],
  'p2p-hello-after-remote': ['p2p/hello/first'],
  'p2p-no-hello-first': ['p2p/hello/message-before-hello'],
  'p2p-no-hello-timeout': ['p2p/hello/timeout'],
  'p2p-second-hello-ok': ['p2p/hello/second-hello'],
  'p2p-wrong-disconnect-reason': ['p2p/msgid/out-of-range', 'p2p/hello/message-before-hello', 'rlpx/snappy/corrupt-block'],
  'p2p-ignore-ping': ['p2p/ping/answered'],
  'p2p-no-keepalive-ping': ['p2p/ping/target-pings'],
  'p2p-no-identity-check': ['p2p/hello/null-identity', 'p2p/hello/wrong-identity'],
  'p2p-accept-compressed-hello': ['rlpx/snappy/compressed-hello-rejected'],
  'p2p-snappy-v4': ['p2p/hello/version-4'],
  'p2p-accept-uncompressed': ['rlpx/snappy/uncompressed-after-hello'],
  'p2p-lowest-version-wins': ['p2p/hello/highest-version-wins'],
};
