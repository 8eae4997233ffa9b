/** The eth wire protocol, versions 66..70: message codecs, codes and limits. */
export * from './types.js';
export { decodeEthMessage, encodeEthMessage } from './messages.js';
export { assertEthVersion, ETH_MESSAGE_CODES, ethProtocolLength, isDefinedAt, isEthVersion, kindOfCode } from './codes.js';
export { BLOOM_BYTES, logsBloom } from './receipts.js';
export * from './limits.js';
