/**
 * Which tests must catch each fault of reference-node/faults/eth.ts: the
 * self-check runs these ids against the node with the fault planted and
 * requires at least one of them to fail.
 */
export const ETH_EXPECTATIONS: Readonly<Record<string, readonly string[]>> = {};
