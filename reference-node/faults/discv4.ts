/** Faults planted in the node for the discv4 conformance suite(s); see ./index.ts. */
import type { FaultDefinition } from './types.js';

export const DISCV4_FAULTS: readonly FaultDefinition[] = [
  {
    name: 'discv4-findnode-without-bond',
    description: 'answers FINDNODE from nodes without an endpoint proof (discv4.md, Endpoint Proof: implementations must verify the sender)',
  },
  {
    name: 'discv4-proof-from-any-pong',
    description: 'takes any PONG as endpoint proof, even one that answers no ping of ours or comes from another IP (discv4.md, Endpoint Proof: a Pong with matching ping hash)',
  },
  {
    name: 'discv4-neighbors-oversize',
    description: 'sends a whole FINDNODE answer in one NEIGHBORS packet, over 1280 bytes for 16 nodes (discv4.md, Wire Protocol: the maximum size of any packet is 1280 bytes)',
  },
  {
    name: 'discv4-accept-expired',
    description: 'acts on packets whose expiration lies in the past (discv4.md, Ping: expired packets may not be processed; EIP-868: no reply to an expired ENRRequest)',
  },
  {
    name: 'discv4-accept-bad-hash',
    description: 'acts on packets whose hash does not match their contents (discv4.md, Wire Protocol: hash = keccak256(signature || packet-type || packet-data))',
  },
  {
    name: 'discv4-pong-wrong-ping-hash',
    description: 'echoes keccak256 of the whole PING datagram instead of its hash in PONG (discv4.md, Pong: ping-hash should equal the hash of the ping)',
  },
  {
    name: 'discv4-pong-to-claimed-from',
    description: "sends PONG and its ping-back to the PING's claimed from endpoint instead of the address it came from (discv4.md, Endpoint Proof: against traffic amplification)",
  },
  {
    name: 'discv4-reject-ping-version',
    description: 'drops PINGs whose version is not 4 (discv4.md, Ping and EIP-8: implementations should ignore mismatches in version)',
  },
  {
    name: 'discv4-no-ping-back',
    description: 'never pings back a node that pinged it, so no node can prove its endpoint (discv4.md, Ping: a ping should be sent in addition to pong)',
  },
  {
    name: 'discv4-table-claimed-endpoint',
    description: "files a pinging node in the table under its claimed from endpoint and relays that in NEIGHBORS (discv4.md, Endpoint Proof: only verified endpoints)",
  },
  {
    name: 'discv4-add-unsolicited-neighbors',
    description: 'takes the nodes of NEIGHBORS packets it never asked for into its table (discv4.md, Neighbors: the reply to FindNode)',
  },
  {
    name: 'discv4-no-enr-response',
    description: 'ignores ENRRequest (EIP-868: the node should reply with an ENRResponse)',
  },
  {
    name: 'discv4-enr-seq-mismatch',
    description: 'announces enr-seq one above its record\'s seq in PING and PONG (EIP-868: enr-seq is the current sequence number of the record)',
  },
  {
    name: 'discv4-no-enr-refresh',
    description: 'never requests a record when a PONG announces a higher enr-seq than the one it holds (EIP-868: enr-seq lets nodes find stale records)',
  },
];
