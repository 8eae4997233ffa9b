/**
 * The eth_* methods over geth's 600-block eth-test chain, checked against the
 * files geth wrote beside it: headblock.json (geth's own JSON of the head
 * block), headstate.json (every account's balance and nonce at the head) and
 * txinfo.json (tx hashes, senders, positions, log topics and deployed
 * contract addresses). None of these come from our code.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { readSharedBytes, readSharedJson } from '../../test-support/shared.js';
import { loadEthtestChain } from '../../test-support/ethtest-chain.js';
import { Chain } from '../chain/chain.js';
import { parseGenesis } from '../chain/genesis.js';
import { TxPool } from '../txpool/tx-pool.js';
import { hexToBytes } from '../wire/bytes.js';
import { encodeTransaction } from '../wire/tx/codec.js';
import { signTransaction } from '../wire/tx/signer.js';
import { createEthApi, RPC_SERVER_ERROR } from './eth-api.js';
import { handleJsonRpc, RpcError, RPC_INVALID_PARAMS, type JsonValue, type RpcMethods } from './json-rpc.js';

const dir = ['vectors-reference', 'geth-ethtest-chain'] as const;
const headblock = readSharedJson<Record<string, string>>(...dir, 'headblock.json');
const headstate = readSharedJson<{ accounts: Record<string, { balance: string; nonce: number }> }>(...dir, 'headstate.json');
const txinfo = readSharedJson<Record<string, unknown>>(...dir, 'txinfo.json');
const accounts = readSharedJson<Record<string, { key: string }>>(...dir, 'accounts.json');

let chain: Chain;
let pool: TxPool;
let methods: RpcMethods;
let close: () => void;

beforeAll(async () => {
  chain = await Chain.open({ genesis: await parseGenesis(loadEthtestChain().genesisJson) });
  await chain.importChainRlp(readSharedBytes(...dir, 'chain.rlp'));
  pool = new TxPool(chain);
  ({ methods, close } = createEthApi({ chain, txPool: pool }));
}, 120_000);
afterAll(async () => {
  close();
  pool.close();
  await chain.close();
});

async function call(method: string, ...params: JsonValue[]): Promise<JsonValue> {
  return methods[method]!(params);
}

async function callError(method: string, ...params: JsonValue[]): Promise<RpcError> {
  const err = await Promise.resolve()
    .then(() => call(method, ...params))
    .then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RpcError);
  return err as RpcError;
}

describe('eth API on the eth-test chain', () => {
  it('chain id, network id and head number', async () => {
    expect(await call('eth_chainId')).toBe('0xc72dd9d5e883e');
    expect(await call('net_version')).toBe('3503995874084926');
    expect(await call('eth_blockNumber')).toBe('0x258');
    expect(await call('eth_syncing')).toBe(false);
  });

  it('eth_getBlockByNumber("latest") has every field of geth\'s headblock.json with the same value', async () => {
    const block = (await call('eth_getBlockByNumber', 'latest', false)) as Record<string, JsonValue>;
    for (const [field, value] of Object.entries(headblock)) expect([field, block[field]]).toEqual([field, value]);
    expect(await call('eth_getBlockByHash', headblock['hash']!, false)).toEqual(block);
    expect(await call('eth_getBlockByNumber', '0x259', false)).toBeNull();
    expect(await call('eth_getBlockByHash', `0x${'00'.repeat(32)}`, false)).toBeNull();
  });

  it('balances and nonces of every account equal headstate.json', async () => {
    const entries = Object.entries(headstate.accounts);
    expect(entries.length).toBeGreaterThan(10);
    for (const [address, acc] of entries) {
      const lower = address.toLowerCase();
      expect([lower, await call('eth_getBalance', lower, 'latest')]).toEqual([lower, `0x${BigInt(acc.balance).toString(16)}`]);
      expect([lower, await call('eth_getTransactionCount', lower, 'latest')]).toEqual([lower, `0x${acc.nonce.toString(16)}`]);
    }
  });

  it('transactions and receipts match txinfo.json (sender, block, index, log topics)', async () => {
    let checked = 0;
    for (const [name, info] of Object.entries(txinfo)) {
      if (!name.startsWith('tx-emit-')) continue;
      for (const t of info as Array<{ txhash: string; sender: string; block: string; indexInBlock: number; logtopic0: string; logtopic1: string }>) {
        const tx = (await call('eth_getTransactionByHash', t.txhash)) as Record<string, JsonValue>;
        expect(tx).toMatchObject({ hash: t.txhash, from: t.sender, blockNumber: t.block, transactionIndex: `0x${t.indexInBlock.toString(16)}` });
        const receipt = (await call('eth_getTransactionReceipt', t.txhash)) as Record<string, JsonValue> & { logs: Array<{ topics: string[] }> };
        expect(receipt).toMatchObject({ transactionHash: t.txhash, from: t.sender, blockNumber: t.block, status: '0x1' });
        expect(receipt.logs[0]!.topics.slice(0, 2)).toEqual([t.logtopic0, t.logtopic1]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('the deploy transactions report the contract addresses of txinfo.json', async () => {
    for (const name of ['deploy-callenv', 'deploy-callme', 'deploy-callrevert']) {
      const { contract, block } = txinfo[name] as { contract: string; block: string };
      const txs = ((await call('eth_getBlockByNumber', block, false)) as { transactions: string[] }).transactions;
      const receipts = await Promise.all(txs.map((h) => call('eth_getTransactionReceipt', h)));
      expect(receipts.map((r) => (r as { contractAddress: string | null }).contractAddress)).toContain(contract);
    }
  });

  it('receipts: gasUsed adds up to the block header, log indexes count across the block', async () => {
    const block = (await call('eth_getBlockByNumber', '0x7', true)) as { gasUsed: string; transactions: Array<{ hash: string }> };
    const receipts = (await Promise.all(block.transactions.map((t) => call('eth_getTransactionReceipt', t.hash)))) as Array<{ gasUsed: string; logs: Array<{ logIndex: string }> }>;
    expect(receipts.reduce((n, r) => n + BigInt(r.gasUsed), 0n)).toBe(BigInt(block.gasUsed));
    const logIndexes = receipts.flatMap((r) => r.logs.map((l) => Number(l.logIndex)));
    expect(logIndexes).toEqual(logIndexes.map((_, i) => i));
  });

  it('eth_sendRawTransaction: bad bytes and a low nonce give -32000 with the reason; a good tx is pending and visible', async () => {
    expect((await callError('eth_sendRawTransaction', '0x01')).code).toBe(RPC_SERVER_ERROR);
    expect((await callError('eth_sendRawTransaction', 'zz')).code).toBe(RPC_INVALID_PARAMS);
    const [address, { key }] = Object.entries(accounts)[0]!;
    const nonce = BigInt(headstate.accounts[Object.keys(headstate.accounts).find((a) => a.toLowerCase() === address)!]!.nonce);
    const unsigned = { type: 2 as const, chainId: chain.config.chainId, maxPriorityFeePerGas: 1n, maxFeePerGas: 1_000n, gasLimit: 21_000n, to: new Uint8Array(20).fill(1), value: 1n, data: new Uint8Array(0), accessList: [] };
    if (nonce > 0n) {
      const low = signTransaction({ ...unsigned, nonce: nonce - 1n }, hexToBytes(key));
      const err = await callError('eth_sendRawTransaction', `0x${Buffer.from(encodeTransaction(low)).toString('hex')}`);
      expect([err.code, err.message]).toEqual([RPC_SERVER_ERROR, `nonce too low: next nonce ${nonce}, tx nonce ${nonce - 1n}`]);
    }
    const good = signTransaction({ ...unsigned, nonce }, hexToBytes(key));
    const hash = await call('eth_sendRawTransaction', `0x${Buffer.from(encodeTransaction(good)).toString('hex')}`);
    expect(await call('txpool_status')).toEqual({ pending: '0x1', queued: '0x0' });
    expect(await call('eth_getTransactionByHash', hash)).toMatchObject({ hash, from: address, blockHash: null, blockNumber: null });
    expect(await call('eth_getTransactionCount', address, 'pending')).toBe(`0x${(nonce + 1n).toString(16)}`);
  });

  it('malformed params are -32602 through the JSON-RPC layer', async () => {
    const reply = JSON.parse((await handleJsonRpc(methods, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: ['0x12', 'latest'] })))!);
    expect(reply.error.code).toBe(RPC_INVALID_PARAMS);
    const bad = JSON.parse((await handleJsonRpc(methods, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_getBlockByNumber', params: ['0x012', false] })))!);
    expect(bad.error).toMatchObject({ code: RPC_INVALID_PARAMS, message: 'invalid block number "0x012"' });
  });
});
