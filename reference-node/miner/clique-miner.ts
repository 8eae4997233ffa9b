/**
 * The Clique sealer (`--mine --miner.signer`), as geth's miner worker with
 * consensus/clique's Prepare and Seal: on each new head, prepare a child with
 * timestamp max(parent + period, now), wait until that time (an out-of-turn
 * signer waits a random extra of up to (signers/2 + 1) * 500 ms, geth's
 * wiggle, so the in-turn signer usually wins), fill it with pending
 * transactions, seal, import, and hand it to onSealed for broadcast. A
 * signer that is not authorised, or signed too recently, waits for the next
 * head. With period 0 it seals only when there are transactions, as geth.
 * A new head while waiting abandons the block and starts over on the new one.
 */
import type { Chain } from '../chain/chain.js';
import { CliqueEngine } from '../chain/clique.js';
import { SnapshotError } from '../chain/clique-snapshot.js';
import { forkRules } from '../chain/config.js';
import { calcBaseFee } from '../chain/eip1559.js';
import { isPostMerge } from '../chain/header-validation.js';
import type { ChainHeadInfo } from '../chain/reader.js';
import { headerHash, type Block } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import { publicKeyOf, type PrivateKey, type PublicKey } from '../wire/keys.js';
import { addressOf } from '../wire/tx/signer.js';
import type { Address } from '../wire/tx/types.js';
import { MinerError } from './errors.js';
import { sealHeaderKnown } from './known-signatures.js';
import type { PendingTxSource } from './pending.js';
import { buildWithApplicable, selectTransactions } from './tx-selection.js';
import { WakeTimer } from './wake-timer.js';

/** geth's wiggleTime: the delay unit of an out-of-turn signer. */
export const WIGGLE_MS = 500;
/** With period 0, how often to look for pending transactions (the source has no events). */
const IDLE_POLL_MS = 250;

export interface CliqueMinerOptions {
  chain: Chain;
  signerKey: PrivateKey;
  txSource: PendingTxSource;
  /** After a sealed block is imported and became the head: broadcast it. */
  onSealed?(block: Block, td: bigint): void;
  log?: (line: string) => void;
  /** Defaults to a new engine on the chain's Clique config; pass the chain's to share its snapshot cache. */
  engine?: CliqueEngine;
}

interface Attempt {
  /** Sealed and imported; undefined when abandoned (new head, stopped, nothing to seal with period 0). */
  block?: Block;
}

export class CliqueMiner {
  readonly signer: Address;
  private readonly publicKey: PublicKey;
  private readonly chain: Chain;
  private readonly engine: CliqueEngine;
  private readonly period: bigint;
  private readonly timer = new WakeTimer();
  private running = false;
  private loopDone: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Counts stop() calls: a wait that started before one gives up. */
  private stops = 0;

  constructor(private readonly options: CliqueMinerOptions) {
    const clique = options.chain.config.clique;
    if (clique === undefined) throw new MinerError('wrong-consensus', 'the chain has no Clique config: nothing for a Clique signer to seal');
    this.chain = options.chain;
    this.engine = options.engine ?? new CliqueEngine(clique);
    this.period = clique.period;
    this.publicKey = publicKeyOf(options.signerKey);
    this.signer = addressOf(this.publicKey);
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.chain.onNewHead(() => this.timer.wake());
    this.loopDone = this.loop();
  }

  /** Stops the loop (and a sealNext that is waiting, which then throws MinerError 'stopped'). */
  async stop(): Promise<void> {
    this.stops++;
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.timer.wake();
    await this.loopDone;
  }

  /**
   * Seals one block on the current head, waiting for its time as the loop
   * would, and imports it. Seals an empty block even with period 0. Throws
   * MinerError when this signer may not seal now. For tests and tools; do
   * not call it while the miner runs.
   */
  async sealNext(): Promise<Block> {
    const stops = this.stops;
    for (;;) {
      const { block } = await this.attempt(this.chain.head(), true, stops);
      if (block !== undefined) return block;
    }
  }

  private async loop(): Promise<void> {
    let lastRefusal = '';
    const stops = this.stops;
    while (this.running) {
      const parent = this.chain.head();
      try {
        const { block } = await this.attempt(parent, false, stops);
        if (block === undefined && this.running && equalBytes(this.chain.head().hash, parent.hash)) await this.timer.sleep(IDLE_POLL_MS);
        // Let timers and I/O run between blocks: an in-memory store completes in microtasks, which would starve them.
        else await new Promise((resolve) => setImmediate(resolve));
      } catch (err) {
        if (!this.running) break;
        if (err instanceof MinerError) {
          // Not our turn: only a new head (a block from another signer, or a vote) can change that.
          const line = `${err.code}@${bytesToHex(parent.hash)}`;
          if (line !== lastRefusal) this.options.log?.(`clique miner: not sealing on block ${parent.number}: ${err.message}`);
          lastRefusal = line;
          if (equalBytes(this.chain.head().hash, parent.hash)) await this.timer.sleep(Infinity);
        } else {
          this.options.log?.(`clique miner: sealing on block ${parent.number} failed: ${(err as Error).message}`);
          await this.timer.sleep(Math.max(1000, Number(this.period) * 1000));
        }
      }
    }
  }

  private async attempt(parent: ChainHeadInfo, sealEmpty: boolean, stops: number): Promise<Attempt> {
    const { chain, engine } = this;
    const config = chain.config;
    if (isPostMerge(config, parent.td)) throw new MinerError('wrong-consensus', 'the chain is past the merge; Clique no longer seals');
    const snap = engine.snapshot(parent.hash, chain);
    const me = bytesToHex(this.signer);
    if (!snap.isSigner(me)) throw new MinerError('unauthorized', `0x${me} is not a Clique signer at block ${parent.number}`);
    let fields;
    try {
      fields = engine.prepare(parent.hash, chain, this.signer);
    } catch (err) {
      if (err instanceof SnapshotError) throw new MinerError('recently-signed', `0x${me} signed recently, another signer must seal first`);
      throw err;
    }
    if (this.period === 0n && !sealEmpty && this.options.txSource.pending().length === 0) return {}; // geth: sealing paused while waiting for transactions

    const nowSec = BigInt(Math.floor(Date.now() / 1000));
    const timestamp = fields.minTimestamp > nowSec ? fields.minTimestamp : nowSec;
    let sealAt = Number(timestamp) * 1000;
    if (!fields.inTurn) sealAt += Math.floor(Math.random() * (Math.floor(snap.signers.length / 2) + 1) * WIGGLE_MS);
    // Wait for the block's time; a new head or stop() ends the wait and abandons this block.
    while (Date.now() < sealAt) {
      await this.timer.sleep(sealAt - Date.now());
      if (this.stops !== stops) throw new MinerError('stopped', 'the miner was stopped');
      if (!equalBytes(chain.head().hash, parent.hash)) return {};
    }

    const parentHeader = chain.headerByHash(parent.hash)!;
    const number = parent.number + 1n;
    const selected = await selectTransactions(this.options.txSource.pending(), {
      chainId: config.chainId,
      gasLimit: parentHeader.gasLimit,
      baseFee: forkRules(config, number, timestamp).london ? calcBaseFee(config, parentHeader) : undefined,
      rules: forkRules(config, number, timestamp),
      account: async (address) => (await chain.accountAt(address, parent.hash)) ?? { nonce: 0n, balance: 0n },
    });
    // geth: with period 0, sealing pauses until there are transactions (ones that still apply, not the last block's).
    if (this.period === 0n && !sealEmpty && selected.length === 0) return {};
    const key = this.options.signerKey;
    const block = await buildWithApplicable(
      selected,
      (transactions) =>
        chain.buildBlock(
          {
            parentHash: parent.hash,
            timestamp,
            transactions,
            difficulty: fields.difficulty,
            extraData: fields.extraData,
            coinbase: fields.coinbase,
            nonce: fields.nonce,
            mixHash: fields.mixHash,
          },
          (h) => sealHeaderKnown(h, key, this.publicKey),
        ),
      this.options.log,
    );
    if (!equalBytes(chain.head().hash, parent.hash)) return {};
    const hash = headerHash(block.header);
    const result = await chain.importBlocks([block]);
    if (!equalBytes(result.head.hash, hash)) {
      this.options.log?.(`clique miner: sealed block ${number} 0x${bytesToHex(hash)} did not become the head`);
      return {};
    }
    this.options.log?.(`clique miner: sealed block ${number} 0x${bytesToHex(hash)} with ${block.transactions.length} txs`);
    this.options.onSealed?.(block, result.head.td);
    return { block };
  }
}
