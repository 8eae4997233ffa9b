/**
 * Which pending transactions go into a block, as geth's miner fills one
 * (miner/worker.go commitTransactions): in the pool's order, skipping a
 * transaction whose nonce is already used, and dropping the rest of a
 * sender's transactions once one of them cannot go in (nonce gap, fee cap
 * below the base fee, balance too low, not enough gas left in the block, a
 * type the fork does not allow). The checks here only read the parent's
 * state; whatever they miss shows up when the block is executed, and
 * buildWithApplicable then finds the first transaction that fails, drops it
 * with the rest of its sender's, and builds again.
 *
 * Gas is counted by gas limit, not gas used (no transaction is executed on
 * its own here), so a block of transactions with generous limits fills less
 * than geth would fill it.
 */
import type { ForkRules } from '../chain/config.js';
import { GAS_PER_BLOB } from '../chain/eip4844.js';
import type { Block } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import { recoverSender } from '../wire/tx/signer.js';
import type { Address, Transaction } from '../wire/tx/types.js';

export interface SelectionContext {
  chainId: bigint;
  gasLimit: bigint;
  baseFee: bigint | undefined;
  rules: ForkRules;
  /** The sender's nonce and balance in the parent's state. */
  account(address: Address): Promise<{ nonce: bigint; balance: bigint }>;
}

export interface SelectedTx {
  tx: Transaction;
  sender: string;
}

function typeAllowed(tx: Transaction, rules: ForkRules): boolean {
  switch (tx.type) {
    case 0:
      return true;
    case 1:
      return rules.berlin;
    case 2:
      return rules.london;
    case 3:
      return rules.cancun;
    case 4:
      return rules.prague;
  }
}

function feeCap(tx: Transaction): bigint {
  return tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxFeePerGas;
}

/** The most the transaction can take from its sender: gas at the fee cap, value, and blob gas at its cap. */
function maxCost(tx: Transaction): bigint {
  const blobGas = tx.type === 3 ? BigInt(tx.blobVersionedHashes.length) * GAS_PER_BLOB * tx.maxFeePerBlobGas : 0n;
  return tx.gasLimit * feeCap(tx) + tx.value + blobGas;
}

export async function selectTransactions(pending: readonly Transaction[], ctx: SelectionContext): Promise<SelectedTx[]> {
  const out: SelectedTx[] = [];
  const senders = new Map<string, { nonce: bigint; balance: bigint; dropped: boolean }>();
  let gasLeft = ctx.gasLimit;
  for (const tx of pending) {
    let address: Address;
    try {
      address = recoverSender(tx, { chainId: ctx.chainId });
    } catch {
      continue; // bad signature or another chain's transaction
    }
    const key = bytesToHex(address);
    let state = senders.get(key);
    if (state === undefined) {
      state = { ...(await ctx.account(address)), dropped: false };
      senders.set(key, state);
    }
    if (state.dropped) continue;
    if (tx.nonce < state.nonce) continue; // already included: geth's Shift
    const cost = maxCost(tx);
    const fits =
      tx.nonce === state.nonce &&
      typeAllowed(tx, ctx.rules) &&
      (ctx.baseFee === undefined || feeCap(tx) >= ctx.baseFee) &&
      cost <= state.balance &&
      tx.gasLimit <= gasLeft;
    if (!fits) {
      state.dropped = true; // geth's Pop: nothing later from this sender can apply
      continue;
    }
    state.nonce++;
    state.balance -= cost;
    gasLeft -= tx.gasLimit;
    out.push({ tx, sender: key });
  }
  return out;
}

/**
 * Builds a block from `selected`, leaving out transactions that fail to apply:
 * on a failure, a binary search over prefixes finds the first failing
 * transaction (a prefix that applies stays applicable, so the search is
 * sound), which is dropped with its sender's later ones. A block without
 * transactions that fails to build is a real error and is thrown.
 */
export async function buildWithApplicable(
  selected: readonly SelectedTx[],
  build: (txs: Transaction[]) => Promise<Block>,
  log?: (line: string) => void,
): Promise<Block> {
  let txs = [...selected];
  for (;;) {
    try {
      return await build(txs.map((s) => s.tx));
    } catch (err) {
      if (txs.length === 0) throw err;
    }
    let good = 0; // the empty prefix; if even that fails, the build below throws
    let bad = txs.length;
    while (bad - good > 1) {
      const mid = (good + bad) >> 1;
      try {
        await build(txs.slice(0, mid).map((s) => s.tx));
        good = mid;
      } catch {
        bad = mid;
      }
    }
    const failing = txs[good]!;
    log?.(`miner: leaving out tx ${good} of sender 0x${failing.sender} (and its later ones): it does not apply`);
    txs = txs.filter((s, i) => i < good || s.sender !== failing.sender);
  }
}
