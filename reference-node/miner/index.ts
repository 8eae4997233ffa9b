/** Block production: the Clique sealer, the post-merge dev miner, and deterministic fixtures. */
export type { PendingTxSource } from './pending.js';
export { MinerError, type MinerErrorCode } from './errors.js';
export { CliqueMiner, WIGGLE_MS, type CliqueMinerOptions } from './clique-miner.js';
export { DevMiner, type DevMinerOptions } from './dev-miner.js';
export { selectTransactions, buildWithApplicable, type SelectedTx, type SelectionContext } from './tx-selection.js';
export { generateFixture, writeFixture, headFcuJson, FIXTURE_FILES, type Fixture, type FixtureOptions, type FixtureProfile } from './fixture.js';
export { deriveFixtureKey, fundedAccounts, signerAccount, type FixtureAccount } from './fixture-keys.js';
