/**
 * The deadline of a test that launches a private target holding the whole
 * fixture: it includes the launch, and a client that imports the 1100
 * blocks itself (rather than copying a stored chain, as our reference target
 * does) may need 20 s or more before it listens.
 */
export const FULL_CHAIN_FRESH_TIMEOUT_MS = 60_000;
