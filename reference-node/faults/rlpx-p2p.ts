/** Faults planted in the node for the rlpx-p2p conformance suite(s); see ./index.ts. */
import type { FaultDefinition } from './types.js';

export const RLPX_P2P_FAULTS: readonly FaultDefinition[] = [];
