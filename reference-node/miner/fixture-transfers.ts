/**
 * The value transfers that fill a fixture's blocks: deterministic, signed,
 * with nonces tracked per sender. Transaction i of the chain goes from funded
 * account i mod N to account (i + 1) mod N, and its type cycles through
 * legacy (EIP-155), access list (EIP-2930, naming the recipient) and dynamic
 * fee (EIP-1559). Fees are fixed above the genesis base fee (1 gwei), which
 * only falls on chains this empty, so every transaction stays includable.
 */
import { publicKeyOf, type PublicKey } from '../wire/keys.js';
import type { Transaction, UnsignedTransaction } from '../wire/tx/types.js';
import type { FixtureAccount } from './fixture-keys.js';
import { signTransactionKnown } from './known-signatures.js';

const GWEI = 1_000_000_000n;
/** Legacy gas price and EIP-1559 fee cap. */
const FEE_CAP = 2n * GWEI;
const PRIORITY_FEE = GWEI;
const TRANSFER_GAS = 21_000n;
/** EIP-2930: one address in the access list costs 2400 more. */
const ACCESS_LIST_ADDRESS_GAS = 2_400n;

/** The most any one transfer can cost its sender: what the genesis balance must cover many times over. */
export function maxTransferCost(index: number): bigint {
  return (TRANSFER_GAS + ACCESS_LIST_ADDRESS_GAS) * FEE_CAP + transferValue(index);
}

function transferValue(index: number): bigint {
  // Distinct values make distinct transactions even between the same two accounts.
  return BigInt(index + 1) * GWEI;
}

export class TransferPlan {
  private next = 0;
  private readonly nonces: bigint[];
  private readonly publicKeys: PublicKey[];

  constructor(
    private readonly chainId: bigint,
    private readonly accounts: readonly FixtureAccount[],
  ) {
    if (accounts.length < 2) throw new RangeError('a transfer plan needs at least two accounts');
    this.nonces = accounts.map(() => 0n);
    this.publicKeys = accounts.map((a) => publicKeyOf(a.key));
  }

  /** The next `count` transactions of the plan. */
  take(count: number): Transaction[] {
    const out: Transaction[] = [];
    for (let j = 0; j < count; j++) out.push(this.transfer(this.next++));
    return out;
  }

  private transfer(index: number): Transaction {
    const n = this.accounts.length;
    const from = this.accounts[index % n]!;
    const to = this.accounts[(index + 1) % n]!.address;
    const nonce = this.nonces[index % n]!;
    this.nonces[index % n] = nonce + 1n;
    const value = transferValue(index);
    const data = new Uint8Array(0);
    const { chainId } = this;
    let tx: UnsignedTransaction;
    switch (index % 3) {
      case 0:
        tx = { type: 0, chainId, nonce, gasPrice: FEE_CAP, gasLimit: TRANSFER_GAS, to, value, data };
        break;
      case 1:
        tx = {
          type: 1,
          chainId,
          nonce,
          gasPrice: FEE_CAP,
          gasLimit: TRANSFER_GAS + ACCESS_LIST_ADDRESS_GAS,
          to,
          value,
          data,
          accessList: [{ address: to, storageKeys: [] }],
        };
        break;
      default:
        tx = { type: 2, chainId, nonce, maxPriorityFeePerGas: PRIORITY_FEE, maxFeePerGas: FEE_CAP, gasLimit: TRANSFER_GAS, to, value, data, accessList: [] };
    }
    return signTransactionKnown(tx, from.key, this.publicKeys[index % n]!);
  }
}
