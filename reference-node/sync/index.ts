/** Block synchronisation: pre-merge full sync by total difficulty, post-merge sync to an Engine API target. */
export { LegacySync, DEFAULT_SYNC_INTERVAL_MS, type LegacySyncOptions, type LegacySyncEvents, type SyncRoundResult } from './legacy-sync.js';
export { BeaconSync, DEFAULT_RETRY_MS, type BeaconSyncOptions, type BeaconSyncEvents, type BeaconAttemptResult } from './beacon-sync.js';
export { DEFAULT_ROUND_TUNING, type RoundTuning } from './legacy-round.js';
export { PeerFault, SYNC_DROP_REASON, type PeerFaultKind } from './errors.js';
export type { SyncChain, SyncPeer, SyncProgress } from './types.js';
