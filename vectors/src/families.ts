/** Every vector family, in the order files are generated and reported. */
import type { Family } from './family.js';
import { rlpFamily } from './families/rlp.js';
import { txFamily } from './families/tx.js';
import { rlpxFramesFamily, rlpxHandshakeFamily } from './families/rlpx.js';

export const FAMILIES: readonly Family[] = [rlpFamily, txFamily, rlpxHandshakeFamily, rlpxFramesFamily];

export function familyByName(name: string): Family | undefined {
  return FAMILIES.find((f) => f.name === name);
}
