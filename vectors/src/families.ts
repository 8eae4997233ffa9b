/** Every vector family, in the order files are generated and reported. */
import type { Family } from './family.js';
import { rlpFamily } from './families/rlp.js';
import { txFamily } from './families/tx.js';

export const FAMILIES: readonly Family[] = [rlpFamily, txFamily];

export function familyByName(name: string): Family | undefined {
  return FAMILIES.find((f) => f.name === name);
}
