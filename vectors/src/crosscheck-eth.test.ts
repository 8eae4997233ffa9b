/**
 * Independent eth implementations on our eth vectors (versions 66-68, which is
 * what they speak): the eth/66 message codec of @ethereumjs/client, its block
 * and transaction classes, @ethereumjs/vm's receipt encoder and bloom, and the
 * Status handshake of @ethereumjs/devp2p's ETH. eth/69-70 have no independent
 * implementation installed here; their shapes are checked against the spec
 * text in the eth family itself. Two disagreements of @ethereumjs/client with
 * eth.md are pinned at the end and written down in vectors/README.md.
 */
import { EthProtocol } from '@ethereumjs/client/dist/esm/src/net/protocol/ethprotocol.js';
import { Common as ClientCommon, Hardfork as ClientHardfork, Mainnet as ClientMainnet } from '@ethereumjs/client/node_modules/@ethereumjs/common/dist/esm/index.js';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { ETH } from '@ethereumjs/devp2p';
import { RLP, type Input } from '@ethereumjs/rlp';
import { createTxFromBlockBodyData, createTxFromRLP } from '@ethereumjs/tx';
import type { KZG } from '@ethereumjs/util';
import { Bloom, encodeReceipt } from '@ethereumjs/vm';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBlockHeader, headerHash } from '../../reference-node/wire/block.js';
import { bigIntToFixed, bytesToHex, hexToBytes } from '../../reference-node/wire/bytes.js';
import { decodeEthMessage, type EthMessage, type EthVersion, type ReceiptWithBloom } from '../../reference-node/wire/eth/index.js';
import { encodeCanonicalTransaction, transactionHash } from '../../reference-node/wire/tx/index.js';
import { ethFamily } from './families/eth.js';
import { DEFAULT_SEED, type Vector } from './format.js';

const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;

interface ClientMessage {
  name: string;
  code: number;
  encode(args: unknown): unknown;
  decode(payload: unknown): unknown;
}

// The client's codec reads headers and txs with its own (pinned) @ethereumjs packages and a Common at the sample chain's head.
const clientCommon = new ClientCommon({ chain: ClientMainnet, hardfork: ClientHardfork.Prague });
const clientEth = new EthProtocol({
  config: { chainCommon: clientCommon, synchronized: true },
  chain: { headers: { latest: { number: 22_431_084n, timestamp: 1_746_612_311n } } },
} as unknown as ConstructorParameters<typeof EthProtocol>[0]);
const clientMessage = (name: string) => (clientEth.messages as unknown as ClientMessage[]).find((m) => m.name === name)!;

// No KZG work happens for a blob tx without sidecar; ethereumjs only insists that a backend is configured.
const noKzg = () => {
  throw new Error('no KZG in this test');
};
const kzg = { blobToKzgCommitment: noKzg, computeBlobProof: noKzg, verifyProof: noKzg, verifyBlobProofBatch: noKzg } as unknown as KZG;
const txCommon = new Common({ chain: Mainnet, hardfork: Hardfork.Prague, customCrypto: { kzg } });

interface Case {
  vector: Vector;
  version: EthVersion;
  payload: Uint8Array;
  ours: EthMessage;
}

const cases: Case[] = ethFamily
  .generate(DEFAULT_SEED)
  .filter((v) => v.expected && (v.input.version as number) <= 68)
  .map((vector) => {
    const version = vector.input.version as EthVersion;
    const payload = hexToBytes(vector.expected!.payload as string);
    return { vector, version, payload, ours: decodeEthMessage(version, vector.expected!.code as number, payload) };
  });

function ofKind<K extends EthMessage['kind']>(kind: K): (Case & { ours: Extract<EthMessage, { kind: K }> })[] {
  const found = cases.filter((c) => c.ours.kind === kind) as (Case & { ours: Extract<EthMessage, { kind: K }> })[];
  expect(found.length, kind).toBeGreaterThanOrEqual(3);
  return found;
}

const clientDecode = (c: Case, name: string) => clientMessage(name).decode(RLP.decode(c.payload));
const clientEncode = (name: string, args: unknown) => hex(RLP.encode(clientMessage(name).encode(args) as Input));

describe('@ethereumjs/client eth/66 codec on the eth/66-68 vectors', () => {
  it('GetBlockHeaders: the same query both ways', () => {
    for (const c of ofKind('GetBlockHeaders')) {
      const got = clientDecode(c, 'GetBlockHeaders') as { reqId: bigint; block: Uint8Array | bigint; max: number; skip: number; reverse: boolean };
      const origin = 'hash' in c.ours.origin ? hex(c.ours.origin.hash) : c.ours.origin.number;
      expect([got.reqId, got.block instanceof Uint8Array ? hex(got.block) : got.block, got.max, got.skip, got.reverse], c.vector.name).toEqual([
        c.ours.requestId,
        origin,
        Number(c.ours.amount),
        Number(c.ours.skip),
        c.ours.reverse,
      ]);
      expect(clientEncode('GetBlockHeaders', got), c.vector.name).toBe(hex(c.payload));
    }
  });

  it('GetBlockBodies, GetPooledTransactions, GetReceipts: the same id and hashes both ways', () => {
    for (const name of ['GetBlockBodies', 'GetPooledTransactions', 'GetReceipts'] as const) {
      for (const c of ofKind(name)) {
        const got = clientDecode(c, name) as { reqId: bigint; hashes: Uint8Array[] };
        expect(got.reqId, c.vector.name).toBe(c.ours.requestId);
        expect(got.hashes.map(hex), c.vector.name).toEqual(c.ours.hashes.map(hex));
        expect(clientEncode(name, got), c.vector.name).toBe(hex(c.payload));
      }
    }
  });

  it('BlockHeaders: every header shape (15 to 21 fields) gives the same hash and bytes', () => {
    let headers = 0;
    for (const c of ofKind('BlockHeaders')) {
      const [reqId, got] = clientDecode(c, 'BlockHeaders') as [bigint, { hash(): Uint8Array; serialize(): Uint8Array }[]];
      expect(reqId, c.vector.name).toBe(c.ours.requestId);
      expect(got.map((h) => hex(h.hash())), c.vector.name).toEqual(c.ours.headers.map((h) => hex(headerHash(h))));
      expect(got.map((h) => hex(h.serialize())), c.vector.name).toEqual(c.ours.headers.map((h) => hex(encodeBlockHeader(h))));
      expect(clientEncode('BlockHeaders', { reqId, headers: got }), c.vector.name).toBe(hex(c.payload));
      headers += got.length;
    }
    expect(headers).toBe(3 * 7);
  });

  it('NewBlock: the same block hash, transactions, uncle and total difficulty', () => {
    for (const c of ofKind('NewBlock')) {
      const [block, td] = clientDecode(c, 'NewBlock') as [{ hash(): Uint8Array; transactions: { hash(): Uint8Array }[]; uncleHeaders: { hash(): Uint8Array }[] }, Uint8Array];
      expect(hex(block.hash()), c.vector.name).toBe(hex(headerHash(c.ours.block.header)));
      expect(block.transactions.map((t) => hex(t.hash())), c.vector.name).toEqual(c.ours.block.transactions.map((t) => hex(transactionHash(t))));
      expect(block.uncleHeaders.map((u) => hex(u.hash())), c.vector.name).toEqual(c.ours.block.uncles.map((u) => hex(headerHash(u))));
      expect(hex(td), c.vector.name).toBe(hex(RLP.decode(RLP.encode(c.ours.td)) as Uint8Array));
      expect(clientEncode('NewBlock', [block, c.ours.td]), c.vector.name).toBe(hex(c.payload));
    }
  });

  it('BlockBodies: every tx of every type has the same hash in @ethereumjs/tx; uncles and withdrawals line up', () => {
    for (const c of ofKind('BlockBodies')) {
      const [reqId, bodies] = clientDecode(c, 'BlockBodies') as [bigint, Uint8Array[][][]];
      expect(reqId).toBe(c.ours.requestId);
      expect(bodies.length).toBe(c.ours.bodies.length);
      bodies.forEach((body, i) => {
        const ours = c.ours.bodies[i]!;
        const txs = (body[0] as unknown as Uint8Array[]).map((t) => createTxFromBlockBodyData(t, { common: txCommon }));
        expect(txs.map((t) => hex(t.hash())), `${c.vector.name}[${i}]`).toEqual(ours.transactions.map((t) => hex(transactionHash(t))));
        expect(txs.map((t) => hex(t.serialize())), `${c.vector.name}[${i}]`).toEqual(ours.transactions.map((t) => hex(encodeCanonicalTransaction(t))));
        expect(body[1]!.length).toBe(ours.uncles.length);
        expect(body[2]?.length).toBe(ours.withdrawals?.length);
      });
      expect(clientEncode('BlockBodies', { reqId, bodies }), c.vector.name).toBe(hex(c.payload));
    }
  });

  it('PooledTransactions: the same txs (legacy as a list, typed as byte strings), both ways', () => {
    for (const c of ofKind('PooledTransactions')) {
      const [reqId, txs] = clientDecode(c, 'PooledTransactions') as [bigint, { hash(): Uint8Array; type: number }[]];
      expect(reqId).toBe(c.ours.requestId);
      expect(txs.map((t) => [t.type, hex(t.hash())]), c.vector.name).toEqual(c.ours.transactions.map((t) => [t.type, hex(transactionHash(t))]));
      expect(clientEncode('PooledTransactions', { reqId, txs }), c.vector.name).toBe(hex(c.payload));
    }
  });

  it('NewPooledTransactionHashes: hashes (eth/66-67) and types/sizes/hashes (eth/68), both ways', () => {
    for (const c of ofKind('NewPooledTransactionHashes')) {
      const got = clientDecode(c, 'NewPooledTransactionHashes') as Uint8Array[] | [Uint8Array, bigint[], Uint8Array[]];
      if (c.ours.form === 'eth66') {
        expect((got as Uint8Array[]).map(hex), c.vector.name).toEqual(c.ours.hashes.map(hex));
      } else {
        const [types, sizes, hashes] = got as [Uint8Array, bigint[], Uint8Array[]];
        expect([hex(types), sizes.map(Number), hashes.map(hex)], c.vector.name).toEqual([hex(c.ours.types), c.ours.sizes, c.ours.hashes.map(hex)]);
        // Its encoder takes types as a list of numbers and sizes as numbers.
        const args = [[...types], sizes.map(Number), hashes];
        expect(clientEncode('NewPooledTransactionHashes', args), c.vector.name).toBe(hex(c.payload));
        continue;
      }
      expect(clientEncode('NewPooledTransactionHashes', got), c.vector.name).toBe(hex(c.payload));
    }
  });

  it('NewBlockHashes: the same announcements both ways', () => {
    for (const c of ofKind('NewBlockHashes')) {
      const got = clientDecode(c, 'NewBlockHashes') as [Uint8Array, bigint][];
      expect(got.map(([h, n]) => [hex(h), n]), c.vector.name).toEqual(c.ours.announcements.map((a) => [hex(a.hash), a.number]));
      expect(clientEncode('NewBlockHashes', got), c.vector.name).toBe(hex(c.payload));
    }
  });
});

describe('@ethereumjs/vm receipts on the eth/66-68 Receipts vectors', () => {
  const toEjs = (r: ReceiptWithBloom) => ({
    ...(r.postStateOrStatus.length === 32 ? { stateRoot: r.postStateOrStatus } : { status: r.postStateOrStatus.length as 0 | 1 }),
    cumulativeBlockGasUsed: r.cumulativeGasUsed,
    bitvector: r.bloom,
    logs: r.logs.map((l) => [l.address, l.topics, l.data] as [Uint8Array, Uint8Array[], Uint8Array]),
  });

  it('every receipt (legacy list, typed type || rlp, pre-Byzantium root) is the bytes encodeReceipt gives, with the bloom Bloom computes', () => {
    let n = 0;
    for (const c of ofKind('Receipts')) {
      if (c.ours.form !== 'eth66') throw new Error('eth/66-68 vectors hold eth66-form receipts');
      const [, lists] = RLP.decode(c.payload) as [Uint8Array, (Uint8Array | Input[])[][]];
      c.ours.receipts.forEach((list, i) =>
        list.forEach((r, j) => {
          const wire = lists[i]![j]!;
          const bytes = wire instanceof Uint8Array ? wire : RLP.encode(wire);
          expect(hex(encodeReceipt(toEjs(r) as never, r.txType)), `${c.vector.name}[${i}][${j}]`).toBe(hex(bytes));
          const bloom = new Bloom();
          for (const log of r.logs) {
            bloom.add(log.address);
            for (const topic of log.topics) bloom.add(topic);
          }
          expect(hex(bloom.bitvector), `${c.vector.name}[${i}][${j}] bloom`).toBe(hex(r.bloom));
          n++;
        }),
      );
    }
    expect(n).toBe(3 * 6);
  });
});

describe('@ethereumjs/devp2p ETH Status on the eth/66-68 status vectors', () => {
  const timers: ReturnType<typeof setTimeout>[] = [];
  afterAll(() => timers.forEach(clearTimeout));

  /** An ETH protocol instance on a fake peer at mainnet Cancun; sent payloads are captured (no snappy: hello is null). */
  function ejsEth(version: number): { eth: ETH; sent: Uint8Array[]; statuses: unknown[] } {
    const sent: Uint8Array[] = [];
    const peer = { common: new Common({ chain: Mainnet, hardfork: Hardfork.Cancun }), _hello: null, _socket: {}, disconnect: () => {} };
    const eth = new ETH(version, peer as never, (_code: number, data: Uint8Array) => sent.push(data));
    timers.push((eth as unknown as { _statusTimeoutId: ReturnType<typeof setTimeout> })._statusTimeoutId);
    const statuses: unknown[] = [];
    eth.events.on('status', (s: unknown) => statuses.push(s));
    return { eth, sent, statuses };
  }

  it('sends the same Status bytes for mainnet after Cancun (fork id from its own Common) and accepts ours', () => {
    const vectors = cases.filter((c) => c.vector.name.endsWith('.status'));
    expect(vectors.map((c) => c.version)).toEqual([66, 67, 68]);
    for (const c of vectors) {
      if (c.ours.kind !== 'Status' || c.ours.form !== 'eth66') throw new Error('eth/66-68 Status has the TD form');
      const { eth, sent, statuses } = ejsEth(c.version);
      eth.sendStatus({ td: bigIntToFixed(c.ours.td, 10), bestHash: c.ours.head, genesisHash: c.ours.genesis });
      expect(hex(sent[0]!), c.vector.name).toBe(hex(c.payload));
      (eth as unknown as { _handleMessage(code: number, data: Uint8Array): void })._handleMessage(0, c.payload);
      expect(statuses, c.vector.name).toHaveLength(1);
      const got = statuses[0] as { chainId: Uint8Array; td: Uint8Array; bestHash: Uint8Array; genesisHash: Uint8Array; forkId: Uint8Array[] };
      expect([hex(got.bestHash), hex(got.genesisHash), hex(got.forkId[0]!)], c.vector.name).toEqual([hex(c.ours.head), hex(c.ours.genesis), hex(c.ours.forkId.hash)]);
    }
  });

  it('refuses our Status when its Common is on another fork (the check is real)', () => {
    const c = cases.find((x) => x.vector.name === 'eth68.status')!;
    const sent: Uint8Array[] = [];
    const peer = { common: new Common({ chain: Mainnet, hardfork: Hardfork.Prague }), _hello: null, _socket: {}, disconnect: () => {} };
    const eth = new ETH(68, peer as never, (_code: number, data: Uint8Array) => sent.push(data));
    timers.push((eth as unknown as { _statusTimeoutId: ReturnType<typeof setTimeout> })._statusTimeoutId);
    if (c.ours.kind !== 'Status' || c.ours.form !== 'eth66') throw new Error('unexpected');
    eth.sendStatus({ td: bigIntToFixed(c.ours.td, 10), bestHash: c.ours.head, genesisHash: c.ours.genesis });
    // At Prague it announces another fork hash than the vector's.
    expect(hex(sent[0]!)).not.toBe(hex(c.payload));
  });
});

describe('where @ethereumjs/client 0.10.5 departs from eth.md (vectors/README.md, "Disagreements")', () => {
  it('Transactions (0x02): it writes a legacy tx as a byte string, eth.md and our vectors as a list; it cannot read the list form', () => {
    for (const c of ofKind('Transactions')) {
      const legacy = c.ours.transactions.findIndex((t) => t.type === 0);
      expect(legacy, c.vector.name).toBe(0);
      expect(() => clientDecode(c, 'Transactions'), c.vector.name).toThrow(/TypedTransaction with ID/);
      // The same txs as its encoder writes them: the legacy one becomes rlp(rlp(list)), everything else is equal.
      const [, ...typed] = (RLP.decode(c.payload) as (Uint8Array | Input[])[]).map((t) => (t instanceof Uint8Array ? t : RLP.encode(t)));
      const ejsTxs = c.ours.transactions.map((t) => createTxFromRLP(encodeCanonicalTransaction(t), { common: txCommon }));
      const theirs = RLP.decode(hexToBytes(clientEncode('Transactions', ejsTxs)));
      const legacyBytes = encodeCanonicalTransaction(c.ours.transactions[legacy]!);
      expect((theirs as Uint8Array[]).map(hex)).toEqual([hex(legacyBytes), ...typed.map((t) => hex(t))]);
    }
  });

  it('Receipts (0x10): it reads and writes one flat list of receipts, eth.md and our vectors one list per block', () => {
    for (const c of ofKind('Receipts')) {
      if (c.ours.form !== 'eth66') throw new Error('unexpected');
      expect(() => clientDecode(c, 'Receipts'), c.vector.name).toThrow();
    }
  });
});
