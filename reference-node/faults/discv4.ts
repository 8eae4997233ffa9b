/** Faults planted in the node for the discv4 conformance suite(s); see ./index.ts. */
import type { FaultDefinition } from './types.js';

export const DISCV4_FAULTS: readonly FaultDefinition[] = [];
