/** The chain: genesis, store, validation, execution, fork ID. Consumers read through ChainReader. */
export type { ChainHeadInfo, ChainReader } from './reader.js';
export { Chain, type ChainOptions, type ChainRlpImportOptions, type ImportOptions, type ImportResult } from './chain.js';
export { loadGenesisFile, parseGenesis, EMPTY_REQUESTS_HASH, type Genesis } from './genesis.js';
export type { GenesisAccount } from './genesis-state.js';
export { forkRules, type BlobParams, type ChainConfig, type CliqueConfig, type ForkRules } from './config.js';
export type { ConsensusEngine, HeaderLookup } from './consensus.js';
export { ExecutionError, type ExecutionContext, type ExecutionResult, type Executor } from './executor.js';
export { BlockValidationError, ChainStoreError, GenesisError, type BlockRule } from './errors.js';
export { EMPTY_TRIE_ROOT, receiptsRoot, transactionsRoot, withdrawalsRoot } from './roots.js';
