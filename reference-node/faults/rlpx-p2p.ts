/** Faults planted in the node for the rlpx and p2p conformance suites; see ./index.ts. */
import type { FaultDefinition } from './types.js';

export const RLPX_P2P_FAULTS: readonly FaultDefinition[] = [
  { name: 'rlpx-skip-frame-mac', description: 'inbound frames are read without checking header-mac and frame-mac (rlpx.md MAC)' },
  { name: 'rlpx-no-snappy-limit', description: 'snappy payloads are inflated whatever length they declare (rlpx.md Message Encoding: reject over 16 MiB)' },
  { name: 'rlpx-no-handshake-timeout', description: 'an inbound connection may take forever to send its auth' },
  { name: 'rlpx-reject-eip8-extra', description: 'an auth with auth-vsn != 4 or extra list elements is refused (rlpx.md: must ignore them)' },
  { name: 'rlpx-legacy-ack', description: 'an EIP-8 auth is answered with a pre-EIP-8 ack (EIP-8: the ack should follow the new rules)' },
  { name: 'p2p-hello-after-remote', description: 'our Hello is held back until the remote Hello arrives (rlpx.md: Hello is the first packet, sent right after the ack)' },
  { name: 'p2p-no-hello-first', description: 'a Ping before the remote Hello is answered instead of refused (rlpx.md Hello: no other messages until Hello)' },
  { name: 'p2p-no-hello-timeout', description: 'a peer that never sends Hello is kept forever' },
  { name: 'p2p-second-hello-ok', description: 'a second Hello re-negotiates the session (capabilities, compression) instead of being ignored or a breach' },
  { name: 'p2p-wrong-disconnect-reason', description: 'breaches of protocol are reported as 0x03 (useless peer) instead of 0x02' },
  { name: 'p2p-ignore-ping', description: 'Ping is never answered with Pong' },
  { name: 'p2p-no-keepalive-ping', description: 'the node never pings an idle peer' },
  { name: 'p2p-no-identity-check', description: 'a Hello whose nodeId is null or not the handshake key is accepted (0x07 / 0x09)' },
  { name: 'p2p-accept-compressed-hello', description: 'a Hello that is not plain RLP is read as a snappy block (EIP-706: the handshake message is never compressed)' },
  { name: 'p2p-snappy-v4', description: 'messages are compressed even when the remote Hello says p2p v4 (EIP-706)' },
  { name: 'p2p-accept-uncompressed', description: 'a message that is not a snappy block after a v5 Hello is read as uncompressed' },
  { name: 'p2p-lowest-version-wins', description: 'of several shared versions of a capability the lowest is used (rlpx.md: the highest wins)' },
];
