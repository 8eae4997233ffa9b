/** The chain: genesis, store, validation, execution, fork ID, Clique. Consumers read through ChainReader. */
export type { ChainHeadInfo, ChainReader } from './reader.js';
export type { AccountState } from './account-reader.js';
export { Chain, type ChainOptions, type ChainRlpImportOptions, type ImportOptions, type ImportResult } from './chain.js';
export { loadGenesisFile, parseGenesis, EMPTY_REQUESTS_HASH, type Genesis } from './genesis.js';
export type { GenesisAccount } from './genesis-state.js';
export { forkRules, type BlobParams, type ChainConfig, type CliqueConfig, type ForkRules } from './config.js';
export { unverifiedPowEngine, type ConsensusEngine, type HeaderLookup } from './consensus.js';
export {
  CliqueEngine,
  checkpointSigners,
  cliqueSealHash,
  recoverCliqueSigner,
  sealHeader,
  DIFF_IN_TURN,
  DIFF_NO_TURN,
  type CliqueEngineOptions,
  type CliqueHeaderFields,
} from './clique.js';
export { CliqueSnapshot, SnapshotError } from './clique-snapshot.js';
export { calcBaseFee } from './eip1559.js';
export { calcExcessBlobGas, GAS_PER_BLOB } from './eip4844.js';
export { buildBlock, draftHeader, type BlockDraft } from './block-builder.js';
export { ExecutionError, type ExecutionContext, type ExecutionResult, type Executor } from './executor.js';
export { VmExecutor } from './vm-executor.js';
export { StateDb } from './state-db.js';
export { BlockValidationError, ChainStoreError, GenesisError, type BlockRule } from './errors.js';
export { blockLogsBloom, EMPTY_TRIE_ROOT, receiptsRoot, requestsHash, transactionsRoot, withdrawalsRoot } from './roots.js';
