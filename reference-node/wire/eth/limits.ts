/**
 * Size limits named by the eth spec and by geth. Codecs do not enforce them
 * (a decoder must still parse an oversized but well-formed response to judge
 * it); the node and the conformance checks use them.
 */

/** Largest eth message a peer accepts (eth.md: "typically 10 MiB"; geth maxMessageSize). */
export const MAX_MESSAGE_SIZE = 10 * 1024 * 1024;

/** RLPx's own frame-size ceiling for one message (24-bit length). */
export const RLPX_MAX_MESSAGE_SIZE = 0xffffff;

/** Recommended soft limit for BlockHeaders, BlockBodies and Receipts responses. */
export const SOFT_RESPONSE_LIMIT = 2 * 1024 * 1024;

/** geth serves at most this many headers, bodies and receipt lists per request. */
export const MAX_HEADERS_SERVE = 1024;
export const MAX_BODIES_SERVE = 1024;
export const MAX_RECEIPTS_SERVE = 1024;

/** Recommended item limits for transaction exchange. */
export const MAX_POOLED_TX_HASHES_ANNOUNCE = 4096;
export const MAX_POOLED_TX_REQUEST = 256;

/** eth/70 (EIP-7975): a receipt list that would overflow this is cut and lastBlockIncomplete set. */
export const PARTIAL_RECEIPTS_THRESHOLD = 10 * 1024 * 1024;

/** eth.md: common practice rejects encoded transactions larger than 128 KiB (geth txMaxSize). */
export const MAX_TX_SIZE = 128 * 1024;

/** geth refuses NewBlock with a total difficulty wider than this many bits. */
export const MAX_TD_BITS = 100;
