/** Every vector family, in the order files are generated and reported. */
import type { Family } from './family.js';
import { rlpFamily } from './families/rlp.js';
import { txFamily } from './families/tx.js';
import { discv4Family } from './families/discv4.js';
import { enrFamily } from './families/enr.js';
import { p2pFamily } from './families/p2p.js';
import { forkidFamily } from './families/forkid.js';
import { ethFamily } from './families/eth.js';
import { rlpxFramesFamily, rlpxHandshakeFamily } from './families/rlpx.js';

export const FAMILIES: readonly Family[] = [rlpFamily, txFamily, rlpxHandshakeFamily, rlpxFramesFamily, discv4Family, enrFamily, p2pFamily, ethFamily, forkidFamily];

export function familyByName(name: string): Family | undefined {
  return FAMILIES.find((f) => f.name === name);
}
