/**
 * What discovery hands to the rest of the node: a reachable node with its
 * identity and endpoints, as learned from PING, NEIGHBORS, a bootnode or an
 * ENRResponse.
 */
import type { Enr } from '../wire/enr.js';
import type { NodeId, PublicKey } from '../wire/keys.js';

export interface DiscoveredNode {
  /** 64 bytes, no 0x04 prefix (the discv4 node ID as sent on the wire). */
  publicKey: PublicKey;
  /** keccak256(publicKey): the Kademlia ID distances are measured in. */
  nodeId: NodeId;
  /** Canonical text form: dotted quad for IPv4 (also when it arrived as ::ffff:a.b.c.d). */
  ip: string;
  udpPort: number;
  /** The RLPx port; 0 when the node did not say. */
  tcpPort: number;
  /**
   * The node's signed record when we have one (fetched with ENRRequest, or
   * read back from the node database). Nodes known only from NEIGHBORS or
   * PING have none: discv4 carries no record there (geth: seq 0).
   */
  enr?: Enr;
}

/** The record's seq, 0 without a record (as geth's enode.NewV4 nodes have). */
export function seqOf(node: DiscoveredNode): bigint {
  return node.enr?.seq ?? 0n;
}
