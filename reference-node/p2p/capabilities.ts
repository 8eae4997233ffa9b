/**
 * The capabilities this stack can speak and the message-ID space each
 * version reserves, which lays out the offsets (rlpx.md "Message ID-based
 * Multiplexing").
 */
import { ETH_VERSIONS, ethProtocolLength } from '../wire/eth/index.js';
import type { MessageCounts } from '../wire/p2p.js';

export { ETH_VERSIONS };

export const ETH_MESSAGE_COUNTS: MessageCounts = {
  eth: Object.fromEntries(ETH_VERSIONS.map((v) => [v, ethProtocolLength(v)])),
};
