/** Every fault's catching tests, from all suites. */
import { BROADCAST_EXPECTATIONS } from './broadcast.js';
import { DISCV4_EXPECTATIONS } from './discv4.js';
import { ETH_EXPECTATIONS } from './eth.js';
import { RLPX_P2P_EXPECTATIONS } from './rlpx-p2p.js';

export const EXPECTATIONS: Readonly<Record<string, readonly string[]>> = {
  ...RLPX_P2P_EXPECTATIONS,
  ...ETH_EXPECTATIONS,
  ...BROADCAST_EXPECTATIONS,
  ...DISCV4_EXPECTATIONS,
};
