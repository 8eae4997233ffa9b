/**
 * Message-ID space per capability version, needed to lay out offsets (rlpx.md
 * "Message ID-based Multiplexing"). eth/67 dropped GetNodeData/NodeData but
 * kept the range; eth/69 added BlockRangeUpdate (0x11). Values as geth's
 * protocolLengths.
 */
import type { MessageCounts } from '../wire/p2p.js';

export const ETH_VERSIONS = [66, 67, 68, 69, 70] as const;

export const ETH_MESSAGE_COUNTS: MessageCounts = {
  eth: { 66: 17, 67: 17, 68: 17, 69: 18, 70: 18 },
};
