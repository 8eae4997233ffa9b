/**
 * Planted protocol bugs for self-validation (`devp2p-check node --fault
 * NAME`). Each fault makes the node break one spec clause on purpose, so the
 * self-check can show that some conformance test catches it. They are a
 * process-wide switch board, not options threaded through every layer,
 * because they exist only for the CLI's child process: nothing in-process
 * turns them on, and with none active every check below is one Set lookup.
 */
import { DISCV4_FAULTS } from './discv4.js';
import { ETH_FAULTS } from './eth.js';
import { BROADCAST_FAULTS } from './broadcast.js';
import { RLPX_P2P_FAULTS } from './rlpx-p2p.js';
import type { FaultDefinition } from './types.js';

export type { FaultDefinition } from './types.js';

export const FAULTS: readonly FaultDefinition[] = [...RLPX_P2P_FAULTS, ...ETH_FAULTS, ...BROADCAST_FAULTS, ...DISCV4_FAULTS];

const active = new Set<string>();

export class UnknownFaultError extends Error {
  override readonly name = 'UnknownFaultError';
}

/** Turns faults on for this process; an unknown name is an error that lists the known ones. */
export function activateFaults(names: readonly string[]): void {
  for (const name of names) {
    if (!FAULTS.some((f) => f.name === name)) {
      throw new UnknownFaultError(`unknown fault "${name}" (known: ${FAULTS.map((f) => f.name).join(', ')})`);
    }
  }
  for (const name of names) active.add(name);
}

/** True if the planted bug `name` is on. */
export function fault(name: string): boolean {
  return active.size > 0 && active.has(name);
}
