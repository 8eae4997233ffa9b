/**
 * Admission, replacement, nonce gaps, events and head changes of the pool on
 * a real chain. Expected messages are geth's (core/txpool/errors.go,
 * core/error.go, txpool/validation.go), the invalid kinds are those of geth's
 * legacypool TestInvalidTransactions plus a wrong chain id and a bad
 * signature, and the sizes are checked against @ethereumjs/tx.
 */
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTx } from '@ethereumjs/tx';
import { afterEach, describe, expect, it } from 'vitest';
import { headerHash } from '../wire/block.js';
import { bytesToHex } from '../wire/bytes.js';
import { transactionHash } from '../wire/tx/hash.js';
import { SECP256K1_N } from '../wire/tx/signature.js';
import { signTransaction } from '../wire/tx/signer.js';
import type { Transaction } from '../wire/tx/types.js';
import { REJECTED_TIMEOUT_MS } from './recent-rejections.js';
import { address, BLOCK_GAS_LIMIT, CHAIN_ID, ETHER, GWEI, key, legacyTransfer, openPool, rejectionOf, TO, transfer } from './test-fixtures.js';
import { floorDataGas, intrinsicGas, TxPoolError } from './validation.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const rich = key(0);
const rich2 = key(1);
const poor = key(2);
const nonced = key(3);
const alloc = (): Array<[Uint8Array, { balance: bigint; nonce?: bigint }]> => [
  [rich, { balance: ETHER }],
  [rich2, { balance: ETHER }],
  [poor, { balance: 1n }],
  [nonced, { balance: 0xffffffffffffffn, nonce: 1n }],
];

const hashOf = (tx: Transaction) => bytesToHex(transactionHash(tx));

describe('TxPool admission', () => {
  it("rejects the invalid kinds of geth's TestInvalidTransactions, each with geth's message, and lets a local tx under the tip floor in", async () => {
    const { pool, added } = await openPool({ alloc: alloc() }, { priceLimit: 1000n }, cleanups);
    // Intrinsic gas too low (a stateless check, so it comes before the funds check).
    let err = await rejectionOf(pool.add(legacyTransfer(poor, 0n, 1n, { gasLimit: 100n }), { local: false }));
    expect([err.reason, err.message]).toEqual(['intrinsicGas', 'intrinsic gas too low: gas 100, minimum needed 21000']);
    // Insufficient funds: cost = 100000 gas * 1 wei + 1 wei value, balance 1.
    err = await rejectionOf(pool.add(legacyTransfer(poor, 0n, 1000n, { gasLimit: 100_000n }), { local: false }));
    expect([err.reason, err.message]).toEqual([
      'insufficientFunds',
      'insufficient funds for gas * price + value: balance 1, tx cost 100000001, overshot 100000000',
    ]);
    // Nonce too low: the account's nonce is 1.
    err = await rejectionOf(pool.add(legacyTransfer(nonced, 0n, 1000n, { gasLimit: 100_000n }), { local: false }));
    expect([err.reason, err.message]).toEqual(['nonceTooLow', 'nonce too low: next nonce 1, tx nonce 0']);
    // Under the tip floor (geth's gasTip 1000 in that test): refused from a peer, accepted from the user.
    const cheap = legacyTransfer(nonced, 1n, 1n, { gasLimit: 100_000n });
    err = await rejectionOf(pool.add(cheap, { local: false }));
    expect([err.reason, err.message]).toEqual(['tipBelowMinimum', 'transaction gas price below minimum: gas tip cap 1, minimum needed 1000']);
    expect(added).toEqual([]);
    await pool.add(cheap, { local: true });
    expect(pool.has(transactionHash(cheap))).toBe(true);
    expect(added.map((a) => hashOf(a.tx))).toEqual([hashOf(cheap)]);
  });

  it('rejects a wrong chain id and bad signatures as geth does (invalid sender), and never announces them', async () => {
    const { pool, added } = await openPool({ alloc: alloc() }, {}, cleanups);
    const cases: Array<[Transaction, string, string]> = [
      [transfer(rich, 0n, { chainId: 1n }), 'wrongChainId', 'invalid sender: invalid chain id for signer: have 1 want 1337'],
      [legacyTransfer(rich, 0n, 10n * GWEI, { chainId: 5n }), 'wrongChainId', 'invalid sender: invalid chain id for signer: have 5 want 1337'],
    ];
    const good = transfer(rich, 0n);
    // s in the upper half of the curve order (EIP-2), and an r that is no x on the curve (5^3 + 7 is not a square mod p).
    cases.push([{ ...good, s: SECP256K1_N - good.s, yParity: good.yParity === 0 ? 1 : 0 }, 'invalidSender', 'invalid sender: invalid transaction v, r, s values']);
    cases.push([{ ...good, r: 5n }, 'invalidSender', 'invalid sender: invalid transaction v, r, s values']);
    for (const [tx, reason, message] of cases) {
      const e = await rejectionOf(pool.add(tx));
      expect([e.reason, e.message]).toEqual([reason, message]);
      expect(pool.has(transactionHash(tx))).toBe(false);
    }
    expect(added).toEqual([]);
    expect(pool.status()).toEqual({ pending: 0, queued: 0 });
  });

  it("rejects the other stateless faults with geth's messages", async () => {
    const { pool, added } = await openPool({ alloc: alloc() }, {}, cleanups);
    const big = transfer(rich, 0n, { data: new Uint8Array(128 * 1024), gasLimit: 10_000_000n });
    const common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Shanghai });
    const bigSize = createTx(
      { type: 2, chainId: CHAIN_ID, nonce: 0n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 10n * GWEI, gasLimit: 10_000_000n, to: TO, value: 1n, data: new Uint8Array(128 * 1024) },
      { common },
    )
      .sign(rich)
      .serialize().length;
    const cases: Array<[Transaction, string, string]> = [
      [big, 'oversized', `oversized data: transaction size ${bigSize}, limit 131072`],
      [transfer(rich, 0n, { gasLimit: BLOCK_GAS_LIMIT + 1n }), 'gasLimit', `exceeds block gas limit: gas ${BLOCK_GAS_LIMIT + 1n}, limit ${BLOCK_GAS_LIMIT}`],
      [transfer(rich, 0n, { maxPriorityFeePerGas: 11n * GWEI }), 'tipAboveFeeCap', 'max priority fee per gas higher than max fee per gas'],
      [transfer(rich, 0n, { to: null, data: new Uint8Array(49_153), gasLimit: 10_000_000n }), 'initCodeTooLarge', 'max initcode size exceeded: code size 49153, limit 49152'],
      [
        signTransaction(
          { type: 3, chainId: CHAIN_ID, nonce: 0n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 10n * GWEI, gasLimit: 21_000n, to: TO, value: 0n, data: new Uint8Array(0), accessList: [], maxFeePerBlobGas: GWEI, blobVersionedHashes: [new Uint8Array(32).fill(1)] },
          rich,
        ),
        'txTypeNotSupported',
        'transaction type not supported: type 3 rejected, pool not yet in Cancun',
      ],
      [
        signTransaction(
          { type: 4, chainId: CHAIN_ID, nonce: 0n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 10n * GWEI, gasLimit: 50_000n, to: TO, value: 0n, data: new Uint8Array(0), accessList: [], authorizationList: [] },
          rich,
        ),
        'txTypeNotSupported',
        'transaction type not supported: type 4 rejected, pool not yet in Prague',
      ],
    ];
    for (const [tx, reason, message] of cases) {
      const e = await rejectionOf(pool.add(tx));
      expect([e.reason, e.message]).toEqual([reason, message]);
    }
    const ok = transfer(rich, 0n);
    await pool.add(ok);
    const dup = await rejectionOf(pool.add(ok));
    expect([dup.reason, dup.message]).toEqual(['alreadyKnown', 'already known']);
    expect(added).toHaveLength(1);
  });

  it('counts the pending txs of a sender against its balance (geth: queued cost + tx cost)', async () => {
    const cost = 21_000n * 10n * GWEI + 1n; // gas at the fee cap plus 1 wei of value
    const sender = key(9);
    const { pool } = await openPool({ alloc: [[sender, { balance: 3n * cost }]] }, {}, cleanups);
    for (let n = 0n; n < 3n; n++) await pool.add(transfer(sender, n));
    const e = await rejectionOf(pool.add(transfer(sender, 3n)));
    expect(e.message).toBe(`insufficient funds for gas * price + value: balance ${3n * cost}, queued cost ${3n * cost}, tx cost ${cost}, overshot ${cost}`);
    // A replacement only needs the difference: +10 % on fee cap and tip costs 21000 * 1 gwei more than the balance has.
    const bumped = transfer(sender, 2n, { maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: (11n * GWEI) / 10n });
    const r = await rejectionOf(pool.add(bumped));
    expect(r.message).toBe(
      `insufficient funds for gas * price + value: balance ${3n * cost}, queued cost ${3n * cost}, tx bumped ${21_000n * GWEI}, overshot ${21_000n * GWEI}`,
    );
  });

  it('intrinsic gas: calldata, creation, access lists (EIP-2028, EIP-2930, EIP-3860); floor data gas (EIP-7623)', () => {
    const rules = { homestead: true, shanghai: true, istanbul: true };
    const data = Uint8Array.of(0, 1, 0, 2); // 2 zero bytes at 4, 2 non-zero at 16
    expect(intrinsicGas(transfer(rich, 0n, { data }), rules)).toBe(21_000n + 8n + 32n);
    // Creation: 53000 + calldata + 2 per 32-byte word of init code.
    expect(intrinsicGas(transfer(rich, 0n, { to: null, data: new Uint8Array(33).fill(1) }), rules)).toBe(53_000n + 33n * 16n + 4n);
    const accessList = [{ address: TO, storageKeys: [new Uint8Array(32), new Uint8Array(32)] }];
    expect(intrinsicGas(transfer(rich, 0n, { accessList }), rules)).toBe(21_000n + 2_400n + 2n * 1_900n);
    // EIP-7623: tokens = zero bytes + 4 * non-zero bytes; floor = 21000 + 10 * tokens.
    expect(floorDataGas(Uint8Array.of(0, 1, 0, 2))).toBe(21_000n + 10n * (2n + 8n));
  });
});

describe('TxPool replacement', () => {
  it('needs a 10 % bump of fee cap and tip: 9 % is refused, 10 % replaces', async () => {
    const { pool, added } = await openPool({ alloc: alloc() }, {}, cleanups);
    const first = transfer(rich, 0n); // fee cap 10 gwei, tip 1 gwei
    await pool.add(first);
    const nine = transfer(rich, 0n, { maxFeePerGas: (10n * GWEI * 109n) / 100n, maxPriorityFeePerGas: (GWEI * 109n) / 100n });
    const tipShort = transfer(rich, 0n, { maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: (GWEI * 109n) / 100n });
    for (const tx of [nine, tipShort]) {
      const e = await rejectionOf(pool.add(tx));
      expect([e.reason, e.message]).toEqual(['replacementUnderpriced', 'replacement transaction underpriced']);
    }
    const ten = transfer(rich, 0n, { maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: (11n * GWEI) / 10n });
    await pool.add(ten);
    expect(pool.get(transactionHash(ten))).toEqual(ten);
    expect(pool.has(transactionHash(first))).toBe(false);
    expect(pool.pending()).toEqual([ten]);
    expect(added.map((a) => hashOf(a.tx))).toEqual([hashOf(first), hashOf(ten)]);
  });

  it('applies to queued txs too, and at tiny prices the new price must be strictly higher (geth list.Add)', async () => {
    const { pool } = await openPool({ alloc: alloc() }, {}, cleanups);
    await pool.add(legacyTransfer(rich, 5n, 100n));
    expect((await rejectionOf(pool.add(legacyTransfer(rich, 5n, 109n)))).reason).toBe('replacementUnderpriced');
    await pool.add(legacyTransfer(rich, 5n, 110n));
    // 1 wei * 110 % rounds down to 1: the same price is still not a replacement.
    await pool.add(legacyTransfer(rich2, 0n, 1n));
    expect((await rejectionOf(pool.add(legacyTransfer(rich2, 0n, 1n, { value: 2n })))).reason).toBe('replacementUnderpriced');
    await pool.add(legacyTransfer(rich2, 0n, 2n));
    expect(pool.status()).toEqual({ pending: 1, queued: 1 });
  });
});

describe('TxPool pending and queued', () => {
  it('keeps txs behind a nonce gap queued until the gap is filled, then promotes them in nonce order', async () => {
    const { pool, added } = await openPool({ alloc: alloc() }, {}, cleanups);
    const promoted: bigint[][] = [];
    pool.on('promoted', (entries) => promoted.push(entries.map((e) => e.tx.nonce)));
    await pool.add(transfer(rich, 2n));
    await pool.add(transfer(rich, 3n));
    expect(pool.status()).toEqual({ pending: 0, queued: 2 });
    expect(pool.pending()).toEqual([]);
    await pool.add(transfer(rich, 0n));
    expect(pool.status()).toEqual({ pending: 1, queued: 2 });
    expect(pool.pendingNonce(address(rich))).toBe(1n);
    await pool.add(transfer(rich, 1n));
    expect(pool.status()).toEqual({ pending: 4, queued: 0 });
    expect(pool.pending().map((t) => t.nonce)).toEqual([0n, 1n, 2n, 3n]);
    expect(added.map((a) => [a.tx.nonce, a.executable])).toEqual([
      [2n, false],
      [3n, false],
      [0n, true],
      [1n, true],
    ]);
    expect(promoted).toEqual([[2n, 3n]]);
  });

  it('lists pending txs with hash, sender, type and the sizes @ethereumjs/tx encodes', async () => {
    const { pool } = await openPool({ alloc: alloc() }, {}, cleanups);
    const tx = transfer(rich, 0n, { data: new Uint8Array(300).fill(7), gasLimit: 100_000n });
    await pool.add(tx);
    const common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Shanghai });
    const theirs = createTx(
      { type: 2, chainId: CHAIN_ID, nonce: 0n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 10n * GWEI, gasLimit: 100_000n, to: TO, value: 1n, data: new Uint8Array(300).fill(7) },
      { common },
    ).sign(rich);
    const [entry] = pool.pendingEntries();
    expect(entry).toBeDefined();
    expect(bytesToHex(entry!.hash)).toBe(bytesToHex(theirs.hash()));
    expect(entry!.size).toBe(theirs.serialize().length);
    expect(entry!.networkSize).toBe(entry!.size);
    expect(entry!.type).toBe(2);
    expect(bytesToHex(entry!.sender)).toBe(bytesToHex(theirs.getSenderAddress().bytes));
  });

  it('orders senders by tip and drops what the chain includes when the head moves', async () => {
    const { chain, pool } = await openPool({ alloc: alloc() }, {}, cleanups);
    const a0 = transfer(rich, 0n);
    const b0 = transfer(rich2, 0n, { maxPriorityFeePerGas: 3n * GWEI });
    await pool.add(a0);
    await pool.add(b0);
    await pool.add(transfer(rich, 1n));
    expect(pool.pending()).toEqual([b0, a0, expect.objectContaining({ nonce: 1n })]);
    const block = await chain.buildBlock({ parentHash: chain.head().hash, timestamp: 12n, transactions: [b0, a0] });
    await chain.importBlocks([block]);
    await pool.settled();
    expect(pool.status()).toEqual({ pending: 1, queued: 0 });
    expect(pool.pending().map((t) => t.nonce)).toEqual([1n]);
    expect((await rejectionOf(pool.add(a0))).reason).toBe('nonceTooLow');
  });

  it('after a new head drops txs the balance no longer covers and demotes the ones behind them (geth TestPostponing)', async () => {
    const sender = key(20);
    const { chain, pool } = await openPool({ alloc: [[sender, { balance: ETHER }]] }, {}, cleanups);
    await pool.add(transfer(sender, 0n));
    await pool.add(transfer(sender, 1n, { value: ETHER / 2n }));
    await pool.add(transfer(sender, 2n));
    expect(pool.status()).toEqual({ pending: 3, queued: 0 });
    // A different nonce-0 tx of the same sender is mined; it sends away most of the balance.
    const drain = transfer(sender, 0n, { value: ETHER - ETHER / 4n, maxPriorityFeePerGas: 2n * GWEI });
    const block = await chain.buildBlock({ parentHash: chain.head().hash, timestamp: 12n, transactions: [drain] });
    await chain.importBlocks([block]);
    await pool.settled();
    // Left: ETHER/4 minus fees. Nonce 1 (value ETHER/2) cannot be paid: dropped; nonce 2 waits behind the hole.
    expect(pool.status()).toEqual({ pending: 0, queued: 1 });
    expect([...pool.pending()]).toEqual([]);
    expect(pool.get(transactionHash(transfer(sender, 2n)))).toBeDefined();
  });

  it('puts back the txs of blocks a reorg took out of the chain', async () => {
    const { chain, pool } = await openPool({ alloc: alloc() }, {}, cleanups);
    const t0 = transfer(rich, 0n);
    const u0 = transfer(rich2, 0n);
    await pool.add(t0);
    await pool.add(u0);
    const genesisHash = chain.head().hash;
    const a1 = await chain.buildBlock({ parentHash: genesisHash, timestamp: 12n, transactions: [t0, u0] });
    await chain.importBlocks([a1]);
    await pool.settled();
    expect(pool.status()).toEqual({ pending: 0, queued: 0 });
    // A sibling branch that includes only u0 becomes canonical.
    const b1 = await chain.buildBlock({ parentHash: genesisHash, timestamp: 13n, transactions: [u0] });
    await chain.importBlocks([b1], { setHead: 'never' });
    await chain.setHead(headerHash(b1.header));
    await pool.settled();
    expect(pool.pending()).toEqual([t0]);
    expect(pool.has(transactionHash(u0))).toBe(false);
  });
});

describe('TxPool from peers', () => {
  it('addRemotes gives one result per tx, in order, and announces only the accepted ones with their origin', async () => {
    const { pool, added } = await openPool({ alloc: alloc() }, {}, cleanups);
    const a = transfer(rich, 0n);
    const bad = transfer(rich2, 0n, { gasLimit: 20_000n });
    const b = transfer(rich, 1n);
    const results = await pool.addRemotes([a, bad, b, a], 'ab12');
    expect(results.map((r) => (r instanceof TxPoolError ? r.reason : bytesToHex(r)))).toEqual([hashOf(a), 'intrinsicGas', hashOf(b), 'alreadyKnown']);
    expect(added.map((e) => [hashOf(e.tx), e.local, e.origin])).toEqual([
      [hashOf(a), false, 'ab12'],
      [hashOf(b), false, 'ab12'],
    ]);
    await pool.add(transfer(rich2, 0n));
    expect(added[2]).toMatchObject({ local: true });
    expect(added[2]!.origin).toBeUndefined();
  });

  it('lets the event loop run while it works through a big batch', async () => {
    const senders = Array.from({ length: 4 }, (_, i) => key(30 + i));
    const { pool } = await openPool({ alloc: senders.map((k) => [k, { balance: ETHER }]) }, {}, cleanups);
    const txs = senders.flatMap((k) => Array.from({ length: 50 }, (_, n) => transfer(k, BigInt(n))));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    const results = await pool.addRemotes(txs, 'ab12');
    const took = performance.now() - started;
    clearInterval(timer);
    expect(results.filter((r) => r instanceof TxPoolError)).toEqual([]);
    expect(pool.status()).toEqual({ pending: 200, queued: 0 });
    // 200 recoveries take well over the 10 ms after which addRemotes yields; a batch done in one go would let no tick in.
    if (took > 50) expect(ticks).toBeGreaterThan(0);
  });

  it('remembers hashes refused as underpriced (or invalid for good) for 5 minutes, not those that may become valid', async () => {
    const { pool, clock } = await openPool({ alloc: alloc() }, { priceLimit: 2n * GWEI }, cleanups);
    await pool.add(transfer(rich, 0n, { maxPriorityFeePerGas: 3n * GWEI }), { local: false });
    const replacement = transfer(rich, 0n, { maxPriorityFeePerGas: 3n * GWEI, value: 2n });
    const cheap = transfer(rich2, 0n, { maxPriorityFeePerGas: GWEI });
    const badSig = { ...transfer(rich2, 1n), r: 5n };
    const unfunded = transfer(poor, 0n, { maxPriorityFeePerGas: 3n * GWEI });
    const results = await pool.addRemotes([replacement, cheap, badSig, unfunded], 'ab12');
    expect(results.map((r) => (r instanceof TxPoolError ? r.reason : 'ok'))).toEqual(['replacementUnderpriced', 'tipBelowMinimum', 'invalidSender', 'insufficientFunds']);
    const seen = (tx: Transaction) => pool.recentlyRejected(transactionHash(tx));
    expect([seen(replacement), seen(cheap), seen(badSig), seen(unfunded)]).toEqual([true, true, true, false]);
    clock.advance(REJECTED_TIMEOUT_MS);
    expect(seen(cheap)).toBe(true);
    clock.advance(1);
    expect(seen(cheap)).toBe(false);
  });
});
