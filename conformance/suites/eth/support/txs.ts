/**
 * Transactions for the message-validation tests: valid transfers signed with
 * a fixture key (nonce read over RPC, never remembered), transfers from a
 * fresh unfunded key (valid signature, invalid for any pool), and filler
 * transactions whose signature recovers to nobody, for tests that only care
 * about how a message is judged, not what a pool does with its contents.
 */
import { concatBytes } from '../../../../reference-node/wire/bytes.js';
import { encodeRlp, type RlpInput } from '../../../../reference-node/wire/rlp.js';
import { signTransaction } from '../../../../reference-node/wire/tx/signer.js';
import type { BlobTx, DynamicFeeTx, LegacyTx } from '../../../../reference-node/wire/tx/types.js';
import type { PrivateKey } from '../../../../reference-node/wire/keys.js';
import { fail, TestSkip } from '../../../core/failure.js';
import type { TestContext } from '../../../core/context.js';
import type { Fixture, FixtureAccount } from '../../../fixture/fixture.js';

const GWEI = 1_000_000_000n;
export const TIP = 2n * GWEI;

/** A fee cap that stays above the base fee for a while: twice the head's, plus the tip. */
export function feeCap(fixture: Fixture): bigint {
  return 2n * (fixture.head.header.baseFeePerGas ?? GWEI) + TIP;
}

/** A value transfer of 1 wei to a fixed address, signed by `key`. */
export function transfer(fixture: Fixture, key: PrivateKey, nonce: bigint): DynamicFeeTx {
  return signTransaction(
    {
      type: 2,
      chainId: fixture.genesis.config.chainId,
      nonce,
      maxPriorityFeePerGas: TIP,
      maxFeePerGas: feeCap(fixture),
      gasLimit: 21_000n,
      to: new Uint8Array(20).fill(0x11),
      value: 1n,
      data: new Uint8Array(0),
      accessList: [],
    },
    key,
  );
}

/**
 * A blob transaction in its block form (no sidecar), signed by `key`: what a
 * peer would have to put in Transactions to broadcast one.
 */
export function blobTransfer(fixture: Fixture, key: PrivateKey): BlobTx {
  const versionedHash = new Uint8Array(32).fill(0x22);
  versionedHash[0] = 0x01;
  return signTransaction(
    {
      type: 3,
      chainId: fixture.genesis.config.chainId,
      nonce: 0n,
      maxPriorityFeePerGas: TIP,
      maxFeePerGas: feeCap(fixture),
      gasLimit: 21_000n,
      to: new Uint8Array(20).fill(0x11),
      value: 0n,
      data: new Uint8Array(0),
      accessList: [],
      maxFeePerBlobGas: GWEI,
      blobVersionedHashes: [versionedHash],
    },
    key,
  );
}

/**
 * A legacy tx with a made-up signature (r = s = 1): it decodes, it has a
 * distinct hash per nonce, and no pool accepts it. Cheap enough to make
 * thousands.
 */
export function fillerTx(nonce: bigint): LegacyTx {
  return { type: 0, nonce, gasPrice: GWEI, gasLimit: 21_000n, to: new Uint8Array(20).fill(0x33), value: 0n, data: new Uint8Array(0), v: 27n, r: 1n, s: 1n };
}

/** One Transactions payload item of a type no EIP defines (0x7f): type || rlp(fields). */
export function unknownTypeTxItem(): Uint8Array {
  const fields: RlpInput = [1n, 0n, 21_000n, new Uint8Array(20), 0n, new Uint8Array(0), 0n, 1n, 1n];
  return concatBytes(Uint8Array.of(0x7f), encodeRlp(fields));
}

/**
 * The fixture account a test at `slot` sends from: non-signer accounts from
 * the end of the list, one per slot, so tests running side by side never race
 * for one nonce (and the Clique signer's nonce never moves).
 */
export function senderFor(fixture: Fixture, slot: number): FixtureAccount {
  const usable = fixture.accounts.filter((a) => !a.signer);
  const account = usable[usable.length - 1 - slot];
  if (!account) throw new TestSkip(`the fixture has fewer than ${slot + 1} funded non-signer accounts with keys`);
  return account;
}

/**
 * The account's next nonce as the target sees it (pool included). The target
 * declared JSON-RPC, so an endpoint that does not answer is its failure.
 */
export async function pendingNonce(ctx: TestContext, address: string): Promise<bigint> {
  const call = `eth_getTransactionCount(0x${address.replace(/^0x/, '')}, "pending")`;
  let result: unknown;
  try {
    result = await ctx.rpc('eth_getTransactionCount', [`0x${address.replace(/^0x/, '')}`, 'pending']);
  } catch (err) {
    if (err instanceof TestSkip) throw err;
    fail(`the target's JSON-RPC did not answer ${call}`, 'a hex quantity', (err as Error).message);
  }
  if (typeof result !== 'string' || !/^0x[0-9a-f]+$/i.test(result)) fail(`the target's JSON-RPC gave no nonce for ${call}`, 'a hex quantity', JSON.stringify(result));
  return BigInt(result);
}
