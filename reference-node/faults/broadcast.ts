/** Faults planted in the node for the broadcast conformance suite(s); see ./index.ts. */
import type { FaultDefinition } from './types.js';

export const BROADCAST_FAULTS: readonly FaultDefinition[] = [];
