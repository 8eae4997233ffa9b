/**
 * Transaction exchange inside an eth session (caps/eth.md Transaction
 * Exchange, Transactions (0x02), NewPooledTransactionHashes (0x08),
 * GetPooledTransactions (0x09), PooledTransactions (0x0a)): what the target
 * must tolerate, what it should refuse, and what it serves.
 */
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { ETH_MESSAGE_CODES } from '../../../reference-node/wire/eth/codes.js';
import type { EthVersion } from '../../../reference-node/wire/eth/types.js';
import { encodeRlp } from '../../../reference-node/wire/rlp.js';
import { transactionHash } from '../../../reference-node/wire/tx/hash.js';
import { encodeTransaction } from '../../../reference-node/wire/tx/codec.js';
import { received } from '../../core/expect.js';
import { check, fail } from '../../core/failure.js';
import { perEthVersion } from '../../core/versions.js';
import { checkStillServes } from './support/headers.js';
import { expectRejected, MALFORMED_REASONS } from './support/reasons.js';
import { blobTransfer, fillerTx, pendingNonce, senderFor, transfer, unknownTypeTxItem } from './support/txs.js';
import { ask } from './support/ask.js';
import { connect } from './support/connect.js';

const TX_EXCHANGE = 'caps/eth.md#transaction-exchange';
const TX_VALIDITY = 'caps/eth.md#transaction-encoding-and-validity';
const hex = (b: Uint8Array): string => `0x${bytesToHex(b)}`;

/**
 * "Unless noted otherwise, implementations must not disconnect peers for
 * sending invalid transactions, and should simply discard them." A transfer
 * from a key that owns nothing is well-formed and correctly signed, and
 * invalid (no balance for gas).
 */
export const invalidTxTolerated = perEthVersion({
  path: 'tx/invalid-tolerated',
  title: 'a well-formed but invalid transaction (sender has no funds) does not get the peer dropped',
  spec: TX_VALIDITY,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    sim.send({ kind: 'Transactions', transactions: [transfer(ctx.fixture, ctx.nextKey(), 0n)] });
    await checkStillServes(sim, ctx.fixture, 'after a Transactions with an unfunded sender');
    check(await sim.peer.staysOpen(1_000), 'the target dropped the peer for an invalid transaction', 'the session stays open', 'it ended');
  },
});

// EIP-4844, as eth.md puts it: "Blob transaction exchange is initiated by the
// NewPooledTransactionHashes message". A blob tx pushed whole is a peer
// breaking that rule; geth drops it ("disallowed broadcast blob transaction").
export const blobTxBroadcast = perEthVersion({
  path: 'tx/blob-in-transactions',
  title: 'a blob transaction sent in Transactions drops the session',
  spec: 'caps/eth.md#blob-transaction-and-cell-exchange',
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    sim.send({ kind: 'Transactions', transactions: [blobTransfer(ctx.fixture, ctx.nextKey())] });
    await expectRejected(sim.peer, 'after a Transactions holding a blob transaction');
  },
});

// "Nodes must not resend the same transaction to a peer in the same session":
// one tx twice in one message breaks that. eth.md leaves the reaction open;
// geth drops the peer ("multiple copies of the same hash").
export const duplicateTx = perEthVersion({
  path: 'tx/duplicate-in-message',
  title: 'a Transactions message carrying one transaction twice drops the session',
  spec: 'caps/eth.md#transactions-0x02',
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const tx = transfer(ctx.fixture, ctx.nextKey(), 0n);
    sim.send({ kind: 'Transactions', transactions: [tx, tx] });
    await expectRejected(sim.peer, 'after a Transactions carrying one transaction twice');
  },
});

// "Implementations should disconnect peers sending transactions of unknown type."
export const unknownTxType = perEthVersion({
  path: 'tx/unknown-type',
  title: 'a Transactions message with a transaction of an undefined type (0x7f) drops the session',
  spec: TX_VALIDITY,
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    sim.sendRaw(ETH_MESSAGE_CODES.Transactions, encodeRlp([unknownTypeTxItem()]), `eth/${version}:Transactions (type 0x7f)`);
    await expectRejected(sim.peer, 'after a transaction of type 0x7f');
  },
});

/**
 * 5001 transactions in one message (about 0.5 MB, far below the 10 MiB
 * message limit). eth.md sets no count limit; nodes cap it (ours and geth's
 * fetcher at 5000 / 4096 per peer). Both answers are conformant: drop the
 * peer with a fitting reason, or discard what the pool will not take and keep
 * serving. What fails: a target that stops answering.
 */
export const manyTxs = perEthVersion({
  path: 'tx/over-5000-in-message',
  title: 'a Transactions message with 5001 (invalid) transactions is refused or survived, never leaves the target unresponsive',
  spec: 'caps/eth.md#basic-operation',
  level: 'SHOULD',
  timeoutMs: 25_000,
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    sim.send({ kind: 'Transactions', transactions: Array.from({ length: 5001 }, (_, i) => fillerTx(BigInt(i))) });
    if (await sim.peer.staysOpen(1_500)) {
      await checkStillServes(sim, ctx.fixture, 'after a Transactions with 5001 transactions');
      return;
    }
    await expectRejected(sim.peer, 'after a Transactions with 5001 transactions', 0);
    await checkStillServes(await connect(ctx, { version }), ctx.fixture, 'on a new session after a Transactions with 5001 transactions');
  },
});

// EIP-5793 / eth.md: "All three payload elements must contain an equal number
// of items." A mismatch is a malformed message (geth: errDecode, 0x10).
export const announcementLengthMismatch = perEthVersion(
  {
    path: 'tx/announcement-length-mismatch',
    title: 'eth/68+: a NewPooledTransactionHashes whose types, sizes and hashes differ in length drops the session',
    spec: 'caps/eth.md#newpooledtransactionhashes-0x08',
    level: 'SHOULD',
    async run(ctx, version) {
      const sim = await connect(ctx, { version });
      const hashes = [ctx.randomBytes(32), ctx.randomBytes(32), ctx.randomBytes(32)];
      const payload = encodeRlp([Uint8Array.of(2, 2), [120n, 120n, 120n], hashes]);
      sim.sendRaw(ETH_MESSAGE_CODES.NewPooledTransactionHashes, payload, `eth/${version}:NewPooledTransactionHashes (2 types, 3 sizes, 3 hashes)`);
      await expectRejected(sim.peer, 'after an announcement with 2 types for 3 hashes', 5_000, MALFORMED_REASONS);
    },
  },
  [68, 69, 70],
);

// "A peer may respond with an empty list iff none of the hashes match
// transactions in its pool": the request still gets its answer.
export const pooledUnknown = perEthVersion({
  path: 'tx/get-pooled-unknown',
  title: 'GetPooledTransactions for hashes the pool lacks is answered with an empty list',
  spec: 'caps/eth.md#pooledtransactions-0x0a',
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const reply = await ask(sim, { kind: 'GetPooledTransactions', requestId: sim.requestId(), hashes: [ctx.randomBytes(32), ctx.randomBytes(32)] }, 'PooledTransactions', 'for two unknown hashes');
    check(reply.transactions.length === 0, 'the target returned transactions for hashes no transaction has', 'an empty list', `${reply.transactions.length} transactions`);
  },
});

/**
 * geth's "send a tx, see it served" made exact: a valid transfer from a
 * fixture account (nonce from RPC) goes in a Transactions message; asked for
 * it by hash, the target returns exactly that transaction, byte for byte.
 * The pool is given up to 3 s to take it. SHOULD, not MUST: eth.md allows an
 * empty answer only when no hash matches the pool, but whether the pool takes
 * a tx at all is the node's choice (geth and ethereumjs ignore txs while they
 * think they are syncing), and the pool cannot be seen portably.
 */
const SENDER_SLOT: Record<EthVersion, number> = { 66: 0, 67: 1, 68: 2, 69: 3, 70: 4 };
export const sentTxServed = perEthVersion({
  path: 'tx/sent-then-served',
  title: 'a valid transaction sent in Transactions is then served by GetPooledTransactions, byte for byte',
  spec: 'caps/eth.md#pooledtransactions-0x0a',
  level: 'SHOULD',
  requires: ['rpc'],
  async run(ctx, version) {
    const sender = senderFor(ctx.fixture, SENDER_SLOT[version]);
    const tx = transfer(ctx.fixture, sender.key, await pendingNonce(ctx, sender.address));
    const hash = transactionHash(tx);
    const sim = await connect(ctx, { version });
    sim.send({ kind: 'Transactions', transactions: [tx] });
    const deadline = Date.now() + 3_000;
    for (;;) {
      const reply = await ask(sim, { kind: 'GetPooledTransactions', requestId: sim.requestId(), hashes: [hash] }, 'PooledTransactions', `for the tx ${hex(hash)} we sent`);
      if (reply.transactions.length > 0) {
        check(reply.transactions.length === 1, 'more transactions than hashes asked', '1 transaction', `${reply.transactions.length}`);
        const got = hex(encodeTransaction(reply.transactions[0]!));
        check(got === hex(encodeTransaction(tx)), 'the target served another transaction than the one asked for', `tx ${hex(hash)}`, `tx ${hex(transactionHash(reply.transactions[0]!))}`);
        return;
      }
      if (Date.now() > deadline) fail(`the valid tx ${hex(hash)} we sent was not served within 3 s`, 'PooledTransactions holding it', 'empty answers (not pooled, or not served)');
      await new Promise((r) => setTimeout(r, 200));
    }
  },
});

/**
 * geth's announcement test made exact: after we announce three hashes the
 * target requests them from us (eth.md: the client "can then request the
 * transactions"), and asks for nothing we did not announce. SHOULD: fetching
 * is what the spec expects but does not require.
 */
export const announcedFetched = perEthVersion({
  path: 'tx/announced-then-requested',
  title: 'hashes we announce are requested from us, all of them and nothing else',
  spec: TX_EXCHANGE,
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const hashes = [ctx.randomBytes(32), ctx.randomBytes(32), ctx.randomBytes(32)];
    if (version >= 68) sim.send({ kind: 'NewPooledTransactionHashes', form: 'eth68', types: Uint8Array.of(2, 2, 2), sizes: [120, 120, 120], hashes });
    else sim.send({ kind: 'NewPooledTransactionHashes', form: 'eth66', hashes });
    const wanted = new Set(hashes.map(hex));
    const asked = new Set<string>();
    while (asked.size < wanted.size) {
      const req = received(await sim.next('GetPooledTransactions', 3_000), 'GetPooledTransactions', `for the ${wanted.size - asked.size} announced hashes not yet requested`);
      for (const h of req.hashes.map(hex)) {
        if (!wanted.has(h)) fail('the target requested a hash we never announced', `only ${[...wanted].join(', ')}`, h);
        asked.add(h);
      }
      // We no longer have them: an empty answer, which eth.md allows.
      sim.send({ kind: 'PooledTransactions', requestId: req.requestId, transactions: [] });
    }
  },
});

export const TRANSACTION_TESTS = [
  ...invalidTxTolerated,
  ...pooledUnknown,
  ...sentTxServed,
  ...announcedFetched,
  ...blobTxBroadcast,
  ...duplicateTx,
  ...unknownTxType,
  ...manyTxs,
  ...announcementLengthMismatch,
];
