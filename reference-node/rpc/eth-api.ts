/**
 * The eth_*, net_version and txpool_status methods the reference node serves
 * (issue 4's list), answered from the chain, the pool and the sync. Error
 * codes follow geth: -32602 for malformed params, -32000 for a rejected
 * transaction with the pool's reason as the message.
 */
import { blobBaseFee } from '../chain/eip4844.js';
import { forkRules } from '../chain/config.js';
import type { Chain } from '../chain/chain.js';
import { headerHash, type Block } from '../wire/block.js';
import { hexToBytes } from '../wire/bytes.js';
import { DecodeError } from '../wire/errors.js';
import { decodeTransaction } from '../wire/tx/codec.js';
import { recoverSender } from '../wire/tx/signer.js';
import type { TxPool } from '../txpool/tx-pool.js';
import { TxPoolError } from '../txpool/validation.js';
import { blockJson, data, receiptJson, transactionJson, type TxLocation } from './json-format.js';
import { RpcError, RPC_INVALID_PARAMS, toQuantity, type JsonValue, type RpcMethods } from './json-rpc.js';
import { TxLookup } from './tx-lookup.js';

/** geth's code for errors without a more specific one (a rejected tx among them). */
export const RPC_SERVER_ERROR = -32000;

export interface SyncProgressSource {
  /** undefined when not syncing. */
  progress(): { startingBlock: bigint; currentBlock: bigint; highestBlock: bigint } | undefined;
}

export interface EthApiOptions {
  chain: Chain;
  txPool: TxPool;
  sync?: SyncProgressSource;
}

export interface EthApi {
  methods: RpcMethods;
  close(): void;
}

export function createEthApi({ chain, txPool, sync }: EthApiOptions): EthApi {
  const lookup = new TxLookup(chain);

  const blockAt = (params: JsonValue[], i: number): Block | undefined => {
    const tag = params[i] ?? 'latest';
    if (typeof tag !== 'string') throw new RpcError(RPC_INVALID_PARAMS, `param ${i} (block) must be a tag or quantity`);
    return chain.blockByNumber(blockNumberOf(tag, chain.head().number));
  };

  const withTd = (block: Block): bigint | undefined => {
    // Only pre-merge blocks report a total difficulty, as geth does since it dropped TD post-merge.
    if (block.header.difficulty === 0n && block.header.number > 0n) return undefined;
    return chain.tdByHash(headerHash(block.header));
  };

  const txLocation = (hash: Uint8Array): { location: TxLocation; block: Block } | undefined => {
    const pos = lookup.find(hash);
    if (!pos) return undefined;
    const block = chain.blockByHash(pos.blockHash);
    if (!block) return undefined;
    return { block, location: { ...pos, baseFeePerGas: block.header.baseFeePerGas } };
  };

  const methods: RpcMethods = {
    eth_chainId: () => toQuantity(chain.config.chainId),
    net_version: () => chain.networkId.toString(10),
    eth_blockNumber: () => toQuantity(chain.head().number),
    eth_syncing: () => {
      const p = sync?.progress();
      if (!p) return false;
      return { startingBlock: toQuantity(p.startingBlock), currentBlock: toQuantity(p.currentBlock), highestBlock: toQuantity(p.highestBlock) };
    },
    eth_getBlockByNumber: (params) => {
      const block = blockAt(params, 0);
      return block ? blockJson(block, withTd(block), fullTxFlag(params)) : null;
    },
    eth_getBlockByHash: (params) => {
      const block = chain.blockByHash(hashParam(params, 0, 'block hash'));
      return block ? blockJson(block, withTd(block), fullTxFlag(params)) : null;
    },
    eth_getTransactionByHash: (params) => {
      const hash = hashParam(params, 0, 'transaction hash');
      const found = txLocation(hash);
      if (found) return transactionJson(found.block.transactions[found.location.index]!, found.location);
      const pooled = txPool.get(hash);
      return pooled ? transactionJson(pooled, null) : null;
    },
    eth_getTransactionReceipt: (params) => {
      const found = txLocation(hashParam(params, 0, 'transaction hash'));
      if (!found) return null;
      const { block, location } = found;
      const receipts = chain.receiptsByHash(location.blockHash);
      const receipt = receipts?.[location.index];
      if (!receipts || !receipt) return null;
      const tx = block.transactions[location.index]!;
      const firstLogIndex = receipts.slice(0, location.index).reduce((n, r) => n + r.logs.length, 0);
      const rules = forkRules(chain.config, block.header.number, block.header.timestamp);
      const blobGasPrice = rules.blob && block.header.excessBlobGas !== undefined ? blobBaseFee(rules.blob, block.header.excessBlobGas) : undefined;
      return receiptJson(receipt, {
        tx,
        sender: recoverSender(tx),
        location,
        previousCumulativeGas: location.index === 0 ? 0n : receipts[location.index - 1]!.cumulativeGasUsed,
        firstLogIndex,
        ...(blobGasPrice === undefined ? {} : { blobGasPrice }),
      });
    },
    eth_getBalance: async (params) => {
      const account = await accountParam(chain, params);
      return account ? toQuantity(account.balance) : null;
    },
    eth_getTransactionCount: async (params) => {
      if (params[1] === 'pending') {
        const address = addressParam(params, 0);
        return toQuantity(txPool.pendingNonce(address) ?? (await chain.accountAt(address))?.nonce ?? 0n);
      }
      const account = await accountParam(chain, params);
      return account ? toQuantity(account.nonce) : null;
    },
    eth_sendRawTransaction: async (params) => {
      const raw = params[0];
      if (typeof raw !== 'string') throw new RpcError(RPC_INVALID_PARAMS, 'param 0 (raw transaction) must be a hex string');
      let bytes: Uint8Array;
      try {
        bytes = hexToBytes(raw);
      } catch {
        throw new RpcError(RPC_INVALID_PARAMS, 'param 0 (raw transaction) is not valid hex');
      }
      try {
        return data(await txPool.add(decodeTransaction(bytes)));
      } catch (err) {
        if (err instanceof DecodeError || err instanceof TxPoolError) throw new RpcError(RPC_SERVER_ERROR, err.message);
        throw err;
      }
    },
    txpool_status: () => {
      const { pending, queued } = txPool.status();
      return { pending: toQuantity(pending), queued: toQuantity(queued) };
    },
  };
  return { methods, close: () => lookup.close() };
}

/** latest/pending/safe/finalized → head (this node keeps no separate safe/finalized view), earliest → 0, or a hex quantity. */
export function blockNumberOf(tag: string, head: bigint): bigint {
  switch (tag) {
    case 'latest':
    case 'pending':
    case 'safe':
    case 'finalized':
      return head;
    case 'earliest':
      return 0n;
  }
  if (!/^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/.test(tag)) throw new RpcError(RPC_INVALID_PARAMS, `invalid block number "${tag}"`);
  return BigInt(tag);
}

function fullTxFlag(params: JsonValue[]): boolean {
  const flag = params[1] ?? false;
  if (typeof flag !== 'boolean') throw new RpcError(RPC_INVALID_PARAMS, 'param 1 (full transactions) must be a boolean');
  return flag;
}

function fixedHexParam(params: JsonValue[], i: number, what: string, length: number): Uint8Array {
  const value = params[i];
  if (typeof value !== 'string' || !new RegExp(`^0x[0-9a-fA-F]{${length * 2}}$`).test(value)) {
    throw new RpcError(RPC_INVALID_PARAMS, `param ${i} (${what}) must be 0x and ${length * 2} hex digits`);
  }
  return hexToBytes(value);
}

const hashParam = (params: JsonValue[], i: number, what: string) => fixedHexParam(params, i, what, 32);
const addressParam = (params: JsonValue[], i: number) => fixedHexParam(params, i, 'address', 20);

async function accountParam(chain: Chain, params: JsonValue[]) {
  const address = addressParam(params, 0);
  const tag = params[1] ?? 'latest';
  if (typeof tag !== 'string') throw new RpcError(RPC_INVALID_PARAMS, 'param 1 (block) must be a tag or quantity');
  const hash = chain.hashByNumber(blockNumberOf(tag, chain.head().number));
  return hash === undefined ? undefined : chain.accountAt(address, hash);
}

