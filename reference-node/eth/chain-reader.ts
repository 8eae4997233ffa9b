/**
 * What the eth protocol handler reads from the chain: the chain store's
 * reader without its config, so tests can serve from an in-memory chain.
 * Reads are synchronous because serving a request must not interleave with
 * the handling of the peer's next message (message order matters for the
 * request tracker).
 */
import type { ChainReader as ChainStoreReader } from '../chain/reader.js';

export type ChainReader = Omit<ChainStoreReader, 'config'>;
