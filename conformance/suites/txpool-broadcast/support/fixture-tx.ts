/**
 * Valid transactions from the fixture's funded accounts, signed here so the
 * test knows their bytes: the hash and the announced size a target must
 * report (caps/eth.md: the length of the consensus encoding) follow from the
 * bytes we made, not from anything the target says. Nonces come from the
 * target (eth_getTransactionCount 'pending'), never from memory, so a test
 * gives the same verdict alone and after others have used the account.
 */
import { bytesToHex, hexToBytes } from '../../../../reference-node/wire/bytes.js';
import { keccak256 } from '../../../../reference-node/wire/keys.js';
import { encodeTransaction } from '../../../../reference-node/wire/tx/codec.js';
import { signTransaction } from '../../../../reference-node/wire/tx/signer.js';
import type { Hash32, Transaction } from '../../../../reference-node/wire/tx/types.js';
import type { TargetSession } from '../../../core/context.js';
import { fail } from '../../../core/failure.js';
import type { Fixture, FixtureAccount } from '../../../fixture/fixture.js';
import { rpcOrFail } from './rpc.js';

export const GWEI = 1_000_000_000n;
/** Where the test transfers go (1 wei each). */
const RECIPIENT = hexToBytes('00000000000000000000000000000000000c0ffe');

export interface SignedTx {
  tx: Transaction;
  /** The consensus encoding (what eth_sendRawTransaction takes and an announcement's size counts). */
  raw: Uint8Array;
  hash: Hash32;
  /** Lower-case hex of the hash, no 0x. */
  key: string;
  type: number;
  size: number;
  nonce: bigint;
}

export interface TxSpec {
  nonce: bigint;
  /** 0 (legacy, EIP-155) or 2 (EIP-1559). Default 2. */
  type?: 0 | 2;
  /** Priority fee (type 2); default 2 gwei. */
  tip?: bigint;
  /** Fee cap (type 2) or gas price (type 0); default 100 gwei. */
  feeCap?: bigint;
  /** Calldata length (bytes of 0x01); default 0. */
  dataBytes?: number;
}

/**
 * An account for this test: not the Clique signer, picked by hashing `scope`
 * (the test id) so that tests spread over the accounts.
 */
export function senderFor(fixture: Fixture, scope: string, offset = 0): FixtureAccount {
  const candidates = fixture.accounts.filter((a) => !a.signer).sort((a, b) => a.address.localeCompare(b.address));
  if (candidates.length === 0) fail('the fixture has no funded account with a key (accounts.json)', 'a funded account', 'none');
  const h = keccak256(new TextEncoder().encode(scope));
  return candidates[(((h[0]! << 8) | h[1]!) + offset) % candidates.length]!;
}

/** The next nonce the target's pool expects from `account`. */
export async function pendingNonce(session: TargetSession, account: FixtureAccount): Promise<bigint> {
  const result = await rpcOrFail(session, 'eth_getTransactionCount', [account.address.startsWith('0x') ? account.address : `0x${account.address}`, 'pending']);
  if (typeof result !== 'string' || !/^0x[0-9a-f]+$/i.test(result)) fail('eth_getTransactionCount did not return a quantity', 'a hex quantity', JSON.stringify(result));
  return BigInt(result);
}

export function signTx(fixture: Fixture, account: FixtureAccount, spec: TxSpec): SignedTx {
  const chainId = fixture.genesis.config.chainId;
  const dataBytes = spec.dataBytes ?? 0;
  const data = new Uint8Array(dataBytes).fill(1);
  // 40 gas per nonzero byte covers both the calldata cost (16) and Prague's floor (EIP-7623: 10 per token, 4 tokens per byte).
  const gasLimit = 21_000n + 40n * BigInt(dataBytes);
  const feeCap = spec.feeCap ?? 100n * GWEI;
  const common = { nonce: spec.nonce, gasLimit, to: RECIPIENT, value: 1n, data };
  const tx: Transaction =
    (spec.type ?? 2) === 0
      ? signTransaction({ type: 0, chainId, gasPrice: feeCap, ...common }, account.key)
      : signTransaction({ type: 2, chainId, maxPriorityFeePerGas: spec.tip ?? 2n * GWEI, maxFeePerGas: feeCap, accessList: [], ...common }, account.key);
  const raw = encodeTransaction(tx);
  // The tx hash is keccak256 of the consensus encoding, for legacy and typed txs alike (EIP-2718).
  const hash = keccak256(raw);
  return { tx, raw, hash, key: bytesToHex(hash), type: tx.type, size: raw.length, nonce: spec.nonce };
}

/** Puts `tx` into the target's pool through eth_sendRawTransaction; fails if the target refuses a valid tx. */
export async function submit(session: TargetSession, tx: SignedTx): Promise<void> {
  let result: unknown;
  try {
    result = await session.rpc('eth_sendRawTransaction', [`0x${bytesToHex(tx.raw)}`]);
  } catch (err) {
    fail(`the target refused a valid transaction (nonce ${tx.nonce}) over eth_sendRawTransaction: ${(err as Error).message}`, 'the tx hash', (err as Error).message);
  }
  if (typeof result !== 'string' || result.replace(/^0x/, '').toLowerCase() !== tx.key) {
    fail('eth_sendRawTransaction returned another hash than the transaction has', `0x${tx.key}`, JSON.stringify(result));
  }
}
