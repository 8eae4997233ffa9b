/**
 * Post-merge blocks on a timer (`--dev.period N`), as geth's --dev mode and
 * its simulated beacon do: every N seconds, a child of the head with the
 * pending transactions, timestamp max(now, parent + 1), no withdrawals, a
 * zero parent beacon root and (unlike geth, which draws it at random) a zero
 * prevRandao, so a run is reproducible. The block is imported, which makes a
 * post-merge block the head, and handed to onSealed. With period 0 a block
 * is made only when transactions are pending (geth: "0 = mine only if
 * transaction pending").
 */
import type { Chain } from '../chain/chain.js';
import { forkRules } from '../chain/config.js';
import { calcBaseFee } from '../chain/eip1559.js';
import { isPostMerge } from '../chain/header-validation.js';
import { headerHash, type Block } from '../wire/block.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import type { Address } from '../wire/tx/types.js';
import { MinerError } from './errors.js';
import type { PendingTxSource } from './pending.js';
import { buildWithApplicable, selectTransactions } from './tx-selection.js';
import { WakeTimer } from './wake-timer.js';

const IDLE_POLL_MS = 250;

export interface DevMinerOptions {
  chain: Chain;
  txSource: PendingTxSource;
  /** Seconds between blocks; 0 builds only when transactions are pending. */
  period: number;
  /** Defaults to the zero address. */
  feeRecipient?: Address;
  onSealed?(block: Block, td: bigint): void;
  log?: (line: string) => void;
}

export class DevMiner {
  private readonly chain: Chain;
  private readonly timer = new WakeTimer();
  private running = false;
  private loopDone: Promise<void> | undefined;

  constructor(private readonly options: DevMinerOptions) {
    const { chain, period } = options;
    if (!Number.isFinite(period) || period < 0) throw new RangeError(`period must be 0 or more seconds, got ${period}`);
    if (!isPostMerge(chain.config, chain.head().td)) {
      throw new MinerError('wrong-consensus', 'the chain is not past the merge (terminalTotalDifficulty unset or not reached): dev blocks are post-merge');
    }
    this.chain = chain;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer.wake();
    await this.loopDone;
  }

  /** Builds, imports and returns a block on the current head now, with whatever is pending (possibly none). */
  async sealNext(): Promise<Block> {
    return (await this.build(false))!;
  }

  /** With `requireTxs`, builds nothing (undefined) when no pending transaction applies. */
  private async build(requireTxs: boolean): Promise<Block | undefined> {
    const { chain } = this;
    const parent = chain.head();
    const parentHeader = chain.headerByHash(parent.hash)!;
    const nowSec = BigInt(Math.floor(Date.now() / 1000));
    const timestamp = nowSec > parent.timestamp ? nowSec : parent.timestamp + 1n;
    const number = parent.number + 1n;
    const rules = forkRules(chain.config, number, timestamp);
    const selected = await selectTransactions(this.options.txSource.pending(), {
      chainId: chain.config.chainId,
      gasLimit: parentHeader.gasLimit,
      baseFee: rules.london ? calcBaseFee(chain.config, parentHeader) : undefined,
      rules,
      account: async (address) => (await chain.accountAt(address, parent.hash)) ?? { nonce: 0n, balance: 0n },
    });
    if (requireTxs && selected.length === 0) return undefined;
    const block = await buildWithApplicable(
      selected,
      (transactions) =>
        chain.buildBlock({
          parentHash: parent.hash,
          timestamp,
          transactions,
          withdrawals: [],
          ...(this.options.feeRecipient === undefined ? {} : { coinbase: this.options.feeRecipient }),
        }),
      this.options.log,
    );
    const hash = headerHash(block.header);
    const result = await chain.importBlocks([block]);
    if (!equalBytes(result.head.hash, hash)) await chain.setHead(hash); // post-merge import sets the head; make sure
    const td = chain.tdByHash(hash)!;
    this.options.log?.(`dev miner: block ${number} 0x${bytesToHex(hash)} with ${block.transactions.length} txs`);
    this.options.onSealed?.(block, td);
    return block;
  }

  private async loop(): Promise<void> {
    const periodMs = this.options.period * 1000;
    while (this.running) {
      // With period 0, look for transactions every IDLE_POLL_MS (the source has no events); the sleep also lets
      // timers and I/O run between blocks, which an in-memory store's microtasks would otherwise starve.
      await this.timer.sleep(periodMs > 0 ? periodMs : IDLE_POLL_MS);
      if (!this.running) break;
      try {
        await this.build(periodMs === 0);
      } catch (err) {
        this.options.log?.(`dev miner: building a block failed: ${(err as Error).message}`);
        if (periodMs === 0) await this.timer.sleep(1000); // do not spin on a block that cannot be built
      }
    }
  }
}
