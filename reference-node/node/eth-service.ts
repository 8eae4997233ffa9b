/**
 * The eth service, as geth's eth.New: it owns the chain database, the
 * transaction pool, the eth protocols and the RPC methods that read them,
 * and later the sync, the block fetcher, block propagation and the miner.
 * The node gathers its protocols before the P2P server starts and calls
 * start() after; stop() undoes start() and closes the database.
 *
 * Protocol versions follow the network profile unless given: a chain that
 * has not passed (or has no) terminal total difficulty is a legacy network
 * and speaks eth/66–68, whose Status carries the TD the legacy sync needs; a
 * post-merge chain speaks eth/68–70, as current geth does.
 */
import { join } from 'node:path';
import { Chain } from '../chain/chain.js';
import { CliqueEngine } from '../chain/clique.js';
import { unverifiedPowEngine, type ConsensusEngine } from '../chain/consensus.js';
import type { Genesis } from '../chain/genesis.js';
import { BlockFetcher } from '../eth/block-fetcher.js';
import { BlockPropagation } from '../eth/block-propagation.js';
import { createEthProtocols, type EthProtocols } from '../eth/protocols.js';
import { createTxPropagation, type TxPropagation } from '../eth/tx-propagation.js';
import { BeaconSync } from '../sync/beacon-sync.js';
import { LegacySync } from '../sync/legacy-sync.js';
import { CliqueMiner } from '../miner/clique-miner.js';
import { DevMiner } from '../miner/dev-miner.js';
import { MinerError } from '../miner/errors.js';
import { decodeBlockSequence, type Block } from '../wire/block.js';
import { createEngineApi } from '../rpc/engine-api.js';
import type { EthPeer } from '../eth/eth-peer.js';
import type { Protocol } from '../p2p/protocol.js';
import { createEthApi, type EthApi } from '../rpc/eth-api.js';
import type { RpcMethods } from '../rpc/json-rpc.js';
import { TxPool } from '../txpool/tx-pool.js';
import type { EthVersion } from '../wire/eth/types.js';
import type { Service } from './service.js';

export const LEGACY_ETH_VERSIONS: readonly EthVersion[] = [66, 67, 68];
export const MODERN_ETH_VERSIONS: readonly EthVersion[] = [68, 69, 70];

export interface EthServiceOptions {
  genesis: Genesis;
  /** The chain lives in <datadir>/chaindata; in memory without one. */
  datadir?: string;
  networkId?: bigint;
  /** Overrides the profile's versions. */
  versions?: readonly EthVersion[];
  /** Concatenated RLP blocks to import before the node starts (a fixture's chain.rlp). */
  importRlp?: Uint8Array;
  statusTimeoutMs?: number;
  /** Seal Clique blocks with this signer key (--mine --miner.signer). */
  mine?: { signerKey: Uint8Array };
  /** Post-merge chains: build a block every N seconds (--dev.period; 0 = when txs are pending). */
  devPeriod?: number;
  /** Legacy sync cycle (geth's forceSyncCycle, 10 s). */
  syncIntervalMs?: number;
  log?(line: string): void;
}

export class EthService implements Service<Protocol> {
  readonly name = 'eth';
  readonly protocolsValue: EthProtocols;
  readonly propagation: BlockPropagation;
  /** Pre-merge networks only. */
  readonly legacySync: LegacySync | undefined;
  /** Post-merge networks only: syncs to the head the Engine API names. */
  readonly beaconSync: BeaconSync | undefined;
  private readonly fetcher: BlockFetcher | undefined;
  /** Tx broadcast, the tx fetcher and the initial tx sync (geth's handler tx loops). */
  readonly txPropagation: TxPropagation;
  readonly miner: CliqueMiner | DevMiner | undefined;
  private api: EthApi | undefined;
  private readonly unsubscribers: Array<() => void> = [];
  private stopped = false;

  private constructor(
    readonly chain: Chain,
    engine: ConsensusEngine,
    readonly txPool: TxPool,
    readonly versions: readonly EthVersion[],
    private readonly log: (line: string) => void,
    options: EthServiceOptions,
  ) {
    this.protocolsValue = createEthProtocols({
      chain,
      versions: [...versions],
      txPool,
      ...(chain.config.terminalTotalDifficulty !== undefined ? { terminalTotalDifficulty: chain.config.terminalTotalDifficulty } : { postMerge: false }),
      ...(options.statusTimeoutMs !== undefined ? { statusTimeoutMs: options.statusTimeoutMs } : {}),
      onPeer: (peer) => this.onPeer(peer),
    });
    const postMerge = () => isPostMergeChain(chain);
    const peers = () => this.protocolsValue.peers();
    this.propagation = new BlockPropagation({ peers, isPostMerge: postMerge });
    this.txPropagation = createTxPropagation({ pool: txPool, peers, log });
    if (!isPostMergeChain(chain)) {
      this.legacySync = new LegacySync({ chain, peers, log, ...(options.syncIntervalMs !== undefined ? { intervalMs: options.syncIntervalMs } : {}) });
      this.fetcher = new BlockFetcher({ chain, engine, propagation: this.propagation, isPostMerge: postMerge, log });
    } else {
      this.beaconSync = new BeaconSync({ chain, peers, log });
    }
    // geth's minedBroadcastLoop: a sealed block goes whole to sqrt(n) peers and by hash to the rest.
    const onSealed = (block: Block, td: bigint) => {
      const sent = this.propagation.publishMinedBlock(block, td);
      log(`sealed block ${block.header.number}: NewBlock to ${sent.full} peers, hashes to ${sent.announced}`);
    };
    // Blob txs stay out of our blocks: a block carries no sidecars, and without a KZG library the
    // node cannot check the proofs (the 0x0a precompile is stubbed too), so it does not mine them.
    const txSource = { pending: () => txPool.pending().filter((tx) => tx.type !== 3) };
    if (options.mine !== undefined) {
      if (!(engine instanceof CliqueEngine)) throw new MinerError('wrong-consensus', '--mine needs a Clique chain (config.clique in the genesis)');
      this.miner = new CliqueMiner({ chain, engine, signerKey: options.mine.signerKey, txSource, onSealed, log });
    } else if (options.devPeriod !== undefined) {
      this.miner = new DevMiner({ chain, txSource, period: options.devPeriod, log });
    }
  }

  /** Opens (and if asked, fills) the chain; nothing touches the network yet. */
  static async create(options: EthServiceOptions): Promise<EthService> {
    const log = options.log ?? (() => undefined);
    // One engine for the chain and the block fetcher, so they share Clique snapshots.
    const engine = options.genesis.config.clique !== undefined ? new CliqueEngine(options.genesis.config.clique) : unverifiedPowEngine;
    const chain = await Chain.open({
      genesis: options.genesis,
      engine,
      ...(options.datadir !== undefined ? { dir: join(options.datadir, 'chaindata') } : {}),
      ...(options.networkId !== undefined ? { networkId: options.networkId } : {}),
    });
    try {
      if (options.importRlp !== undefined) await importWithProgress(chain, options.importRlp, log);
      const versions = options.versions ?? (isPostMergeChain(chain) ? MODERN_ETH_VERSIONS : LEGACY_ETH_VERSIONS);
      // geth's journal: local txs survive a restart when there is a datadir.
      const txPool = await TxPool.open(chain, { log, ...(options.datadir !== undefined ? { journalPath: join(options.datadir, 'transactions.rlp') } : {}) });
      try {
        return new EthService(chain, engine, txPool, versions, log, options);
      } catch (err) {
        txPool.close();
        throw err;
      }
    } catch (err) {
      await chain.close();
      throw err;
    }
  }

  /** Peers past the eth handshake. */
  peers(): EthPeer[] {
    return this.protocolsValue.peers();
  }

  protocols(): Protocol[] {
    return this.protocolsValue;
  }

  rpcMethods(): RpcMethods {
    const sync = this.legacySync ?? this.beaconSync;
    this.api ??= createEthApi({ chain: this.chain, txPool: this.txPool, ...(sync ? { sync } : {}) });
    return this.api.methods;
  }

  authRpcMethods(): RpcMethods {
    const beacon = this.beaconSync;
    if (!beacon) return {};
    // The spec (authentication.md) has the Engine endpoint serve the eth namespace too, as geth does.
    return { ...this.rpcMethods(), ...createEngineApi({ chain: this.chain, syncTo: (hash) => beacon.syncTo(hash) }) };
  }

  async start(): Promise<void> {
    this.unsubscribers.push(this.chain.onNewHead(() => this.protocolsValue.notifyHead()));
    this.legacySync?.start();
    this.miner?.start();
  }

  /** Safe to call twice (a failed node start may roll back a service its caller also stops). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const off of this.unsubscribers.splice(0)) off();
    await this.miner?.stop();
    this.fetcher?.stop();
    await this.legacySync?.stop();
    await this.beaconSync?.stop();
    this.api?.close();
    this.txPropagation.stop();
    this.txPool.close();
    for (const peer of this.peers()) peer.disconnect();
    await this.chain.close();
  }

  private onPeer(peer: EthPeer): void {
    this.log(`eth/${peer.version} peer ${peer.id.slice(0, 16)} joined`);
    this.fetcher?.addPeer(peer);
    this.txPropagation.addPeer(peer);
    // A forkchoice target no peer had may be found on the newcomer.
    this.beaconSync?.addPeer(peer);
    const sync = this.legacySync;
    if (sync) {
      sync.addPeer(peer);
      // geth's handler: a NewBlock whose TD beats ours starts a sync (the fetcher, subscribed first, has set the peer's head by now).
      peer.on('newBlock', () => {
        const td = peer.head.td;
        if (td !== undefined && td > this.chain.head().td) sync.addPeer(peer);
      });
    }
  }
}

/** Blocks per atomic import batch: a kill loses at most the batch in progress. */
const IMPORT_BATCH = 256;

/** geth's `import`: batch by batch, each one atomic, with a line per batch (as geth logs each chain segment). */
async function importWithProgress(chain: Chain, rlp: Uint8Array, log: (line: string) => void): Promise<void> {
  const blocks = decodeBlockSequence(rlp);
  let imported = 0;
  let known = 0;
  for (let i = 0; i < blocks.length; i += IMPORT_BATCH) {
    const r = await chain.importBlocks(blocks.slice(i, i + IMPORT_BATCH));
    imported += r.imported;
    known += r.known;
    log(`import: head ${r.head.number} (${imported} imported, ${known} already known, ${blocks.length - Math.min(i + IMPORT_BATCH, blocks.length)} to go)`);
  }
}

/** Post-merge when the config has a TTD that the head has reached (a TTD of 0 means merged from genesis). */
export function isPostMergeChain(chain: Pick<Chain, 'config' | 'head'>): boolean {
  const ttd = chain.config.terminalTotalDifficulty;
  return ttd !== undefined && chain.head().td >= ttd;
}
