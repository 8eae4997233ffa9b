/** Faults planted in the node for the eth conformance suite(s); see ./index.ts. */
import type { FaultDefinition } from './types.js';

export const ETH_FAULTS: readonly FaultDefinition[] = [];
