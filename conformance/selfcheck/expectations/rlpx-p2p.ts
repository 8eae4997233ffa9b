/**
 * Which tests must catch each fault of reference-node/faults/rlpx-p2p.ts: the
 * self-check runs these ids against the node with the fault planted and
 * requires at least one of them to fail.
 */
export const RLPX_P2P_EXPECTATIONS: Readonly<Record<string, readonly string[]>> = {};
