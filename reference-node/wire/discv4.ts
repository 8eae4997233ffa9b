/** discv4 wire codecs: the public face of wire/discv4/*. Pure: no sockets, no clocks. */
export * from './discv4/types.js';
export { decodeDiscv4Packet, encodeDiscv4Packet, encodeRawDiscv4Packet, packetHash } from './discv4/codec.js';
export { assertNotExpired, DEFAULT_EXPIRATION_SECONDS, expirationAfter, expirationOf, isExpired } from './discv4/expiration.js';
export { chunkNeighbors, MAX_NEIGHBORS } from './discv4/neighbors.js';
export { ipToBytes, ipToString } from './ip.js';
