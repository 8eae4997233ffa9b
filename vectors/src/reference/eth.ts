/**
 * EIP-2481's eth/66 messages (eth66-messages-eip2481.json, request id 1111):
 * each decodes at eth/66 to the fields the EIP lists (geth JSON names) and
 * re-encodes byte for byte. Across versions: node data exists only in eth/66
 * (EIP-4938), this Receipts encoding only up to eth/68 (EIP-7642) and this
 * GetReceipts only up to eth/69 (EIP-7975); everything else reads the same in
 * every version 66..70.
 */
import { join } from 'node:path';
import { headerHash } from '../../../reference-node/wire/block.js';
import { decodeEthMessage, encodeEthMessage, ETH_MESSAGE_CODES, ETH_VERSIONS, type EthMessage, type EthMessageKind, type EthVersion } from '../../../reference-node/wire/eth/index.js';
import { transactionHash } from '../../../reference-node/wire/tx/index.js';
import type { FamilyReport } from '../verify.js';
import { bytes, hexOf, Problems, readJson, rejection, runChecks, type Check } from './checks.js';

type Data = Record<string, unknown> & { RequestId: number };
interface CaseJson {
  type: string;
  rlp: string;
  data: Data;
}

/** The versions whose decoder must read the eth/66 encoding of `kind`. */
function readableAt(kind: EthMessageKind): EthVersion[] {
  if (kind === 'GetNodeData' || kind === 'NodeData') return [66];
  if (kind === 'Receipts') return [66, 67, 68];
  if (kind === 'GetReceipts') return [66, 67, 68, 69];
  return [...ETH_VERSIONS];
}

const strip = (h: unknown) => String(h).replace(/^0x/, '');
const quantity = (h: unknown) => BigInt(String(h));

/** The fields the EIP lists for each message, against our decoding. */
function compareData(p: Problems, msg: EthMessage, data: Data): void {
  const list = (key: string) => (data[key] as unknown[]).map(strip);
  switch (msg.kind) {
    case 'GetBlockHeaders': {
      const origin = data.Origin as { Hash: string; Number: number };
      const byHash = /[1-9a-f]/.test(origin.Hash.slice(2));
      p.same('origin', 'hash' in msg.origin ? hexOf(msg.origin.hash) : msg.origin.number, byHash ? strip(origin.Hash) : BigInt(origin.Number));
      p.same('amount/skip/reverse', [msg.amount, msg.skip, msg.reverse], [BigInt(data.Amount as number), BigInt(data.Skip as number), data.Reverse]);
      break;
    }
    case 'BlockHeaders':
      p.same('header hashes', msg.headers.map((h) => hexOf(headerHash(h))), (data.BlockHeadersPacket as { hash: string }[]).map((h) => strip(h.hash)));
      break;
    case 'GetBlockBodies':
    case 'GetNodeData':
    case 'GetReceipts':
    case 'GetPooledTransactions':
      p.same('hashes', msg.hashes.map(hexOf), list(`${msg.kind}Packet`));
      break;
    case 'NodeData':
      p.same('values', msg.values.map(hexOf), list('NodeDataPacket'));
      break;
    case 'BlockBodies': {
      const want = data.BlockBodiesPacket as { Transactions: { hash: string }[]; Uncles: { hash: string }[] }[];
      p.same('tx hashes', msg.bodies.map((b) => b.transactions.map((t) => hexOf(transactionHash(t)))), want.map((b) => b.Transactions.map((t) => strip(t.hash))));
      p.same('uncle hashes', msg.bodies.map((b) => b.uncles.map((u) => hexOf(headerHash(u)))), want.map((b) => b.Uncles.map((u) => strip(u.hash))));
      break;
    }
    case 'PooledTransactions':
      p.same('tx hashes', msg.transactions.map((t) => hexOf(transactionHash(t))), (data.PooledTransactionsPacket as { hash: string }[]).map((t) => strip(t.hash)));
      break;
    case 'Receipts': {
      if (msg.form !== 'eth66') throw new Error('eth/66 receipts have the eth66 form');
      type R = { root: string; status: string; cumulativeGasUsed: string; logsBloom: string; logs: { address: string; topics: string[]; data: string }[] };
      const want = data.ReceiptsPacket as R[][];
      const ours = msg.receipts.map((l) => l.map((r) => [hexOf(r.postStateOrStatus), r.cumulativeGasUsed, hexOf(r.bloom), r.logs.map((g) => [hexOf(g.address), g.topics.map(hexOf), hexOf(g.data)])]));
      const theirs = want.map((l) =>
        l.map((r) => [
          strip(r.root) !== '' ? strip(r.root) : quantity(r.status) === 1n ? '01' : '',
          quantity(r.cumulativeGasUsed),
          strip(r.logsBloom),
          r.logs.map((g) => [strip(g.address), g.topics.map(strip), strip(g.data)]),
        ]),
      );
      p.same('receipts', ours, theirs);
      break;
    }
    default:
      p.add(`no field comparison for ${msg.kind}`);
  }
}

export function checkEthReference(dir: string): FamilyReport[] {
  const source = join(dir, 'eth66-messages-eip2481.json');
  const { cases } = readJson<{ cases: CaseJson[] }>(source);
  const seen = new Map<string, number>();
  const checks = cases.map((c): [string, Check] => {
    const kind = c.type.replace(/Packet66$/, '') as EthMessageKind;
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    return [
      `${kind}${n > 1 ? `#${n}` : ''}`,
      () => {
        const p = new Problems();
        const code = ETH_MESSAGE_CODES[kind];
        if (code === undefined) return [`unknown message type ${c.type}`];
        const raw = bytes(c.rlp);
        const readable = readableAt(kind);
        for (const version of ETH_VERSIONS) {
          if (!readable.includes(version)) {
            if (!rejection(() => decodeEthMessage(version, code, raw))) p.add(`eth/${version} accepted it; that version no longer has this encoding`);
            continue;
          }
          const msg = decodeEthMessage(version, code, raw);
          p.same(`eth/${version} re-encoding`, hexOf(encodeEthMessage(version, msg).payload), hexOf(raw));
          if (version !== 66) continue;
          if ('requestId' in msg) p.same('request id', msg.requestId, BigInt(c.data.RequestId));
          compareData(p, msg, c.data);
        }
        return p.list;
      },
    ];
  });
  return [runChecks('eth', source, checks)];
}
