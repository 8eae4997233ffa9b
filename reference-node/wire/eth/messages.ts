/**
 * encodeEthMessage / decodeEthMessage: the eth message codec for one
 * negotiated version. Codes are relative to the eth capability offset. A code
 * the version does not define (0x0b, 0x0c, node data from eth/67, 0x11 before
 * eth/69, anything above) is DecodeError('unknown-type').
 *
 * Request ids (EIP-2481) wrap the eth/65 payload: [request-id, payload]. eth/70
 * GetReceipts and Receipts add an element after the request id instead.
 */
import {
  blockFromRlp,
  blockToRlp,
  bodyFromRlp,
  bodyToRlp,
  headerFromRlp,
  headerToRlp,
} from '../block.js';
import { DecodeError } from '../errors.js';
import { asBytes, asList, decodeRlp, encodeRlp, encodeRlpListOfEncoded, type RlpInput, type RlpItem } from '../rlp.js';
import { transactionFromRlp, transactionToRlp } from '../tx/codec.js';
import {
  bytesField,
  checkUint,
  fixed,
  readBytes,
  readFlag,
  readHash,
  readHashList,
  readList,
  readU256,
  readU64,
  u256,
  u64,
} from '../tx/fields.js';
import { assertEthVersion, ETH_MESSAGE_CODES, isDefinedAt, kindOfCode } from './codes.js';
import { receiptEth66FromRlp, receiptEth66ToRlp, receiptEth69FromRlp, receiptEth69ToRlp } from './receipts.js';
import { statusEth66FromRlp, statusEth69FromRlp, statusToRlp } from './status.js';
import type { EncodedEthMessage, EthMessage, EthMessageKind, EthVersion, HeaderOrigin } from './types.js';

const UINT32_MAX = 0xffffffffn;

/** The shape a changed message must take at a version. */
function expectedForm(kind: EthMessageKind, version: EthVersion): string | undefined {
  switch (kind) {
    case 'Status':
      return version >= 69 ? 'eth69' : 'eth66';
    case 'NewPooledTransactionHashes':
      return version >= 68 ? 'eth68' : 'eth66';
    case 'GetReceipts':
      return version >= 70 ? 'eth70' : 'eth66';
    case 'Receipts':
      return version >= 70 ? 'eth70' : version === 69 ? 'eth69' : 'eth66';
    default:
      return undefined;
  }
}

function fields(item: RlpItem, what: string, n: number): RlpItem[] {
  const f = asList(item, what);
  if (f.length !== n) throw new DecodeError('shape', what, `expected ${n} elements, got ${f.length}`);
  return f;
}

function readOrigin(item: RlpItem | undefined, what: string): HeaderOrigin {
  const bytes = asBytes(item, what);
  if (bytes.length === 32) return { hash: bytes.slice() };
  if (bytes.length <= 8) return { number: readU64(bytes, what) };
  throw new DecodeError('length', what, `expected a 32-byte hash or a uint64 number, got ${bytes.length} bytes`);
}

function hashes(list: Uint8Array[], what: string): RlpInput {
  return list.map((h, i) => fixed(h, 32, `${what}[${i}]`));
}

function reqId(id: bigint, what: string): bigint {
  return u64(id, `${what} requestId`);
}

function decodeBody(kind: EthMessageKind, version: EthVersion, item: RlpItem, what: string): EthMessage {
  switch (kind) {
    case 'Status':
      return version >= 69 ? statusEth69FromRlp(item, what) : statusEth66FromRlp(item, what);
    case 'NewBlockHashes':
      return {
        kind,
        announcements: readList(item, what, (el, at) => {
          const f = fields(el, at, 2);
          return { hash: readHash(f[0], `${at} hash`), number: readU64(f[1], `${at} number`) };
        }),
      };
    case 'Transactions':
      return { kind, transactions: readList(item, what, transactionFromRlp) };
    case 'NewBlock': {
      const f = fields(item, what, 2);
      return { kind, block: blockFromRlp(f[0], `${what} block`), td: readU256(f[1], `${what} td`) };
    }
    case 'NewPooledTransactionHashes': {
      if (version < 68) return { kind, form: 'eth66', hashes: readHashList(item, what) };
      const f = fields(item, what, 3);
      const types = readBytes(f[0], `${what} types`);
      const sizes = readList(f[1], `${what} sizes`, (el, at) => Number(checkSize(readU64(el, at), at)));
      const hashList = readHashList(f[2], `${what} hashes`);
      if (types.length !== sizes.length || sizes.length !== hashList.length) {
        throw new DecodeError(
          'shape',
          what,
          `types, sizes and hashes differ in length (${types.length}, ${sizes.length}, ${hashList.length})`,
        );
      }
      return { kind, form: 'eth68', types, sizes, hashes: hashList };
    }
    case 'BlockRangeUpdate': {
      const f = fields(item, what, 3);
      return {
        kind,
        earliestBlock: readU64(f[0], `${what} earliestBlock`),
        latestBlock: readU64(f[1], `${what} latestBlock`),
        latestBlockHash: readHash(f[2], `${what} latestBlockHash`),
      };
    }
    default:
      return decodeRequestResponse(kind, version, item, what);
  }
}

function checkSize(size: bigint, what: string): bigint {
  if (size > UINT32_MAX) throw new DecodeError('value', what, `size ${size} does not fit uint32`);
  return size;
}

function decodeRequestResponse(kind: EthMessageKind, version: EthVersion, item: RlpItem, what: string): EthMessage {
  const partial = version >= 70 && (kind === 'GetReceipts' || kind === 'Receipts');
  const f = fields(item, what, partial ? 3 : 2);
  const requestId = readU64(f[0], `${what} requestId`);
  const body = f[partial ? 2 : 1];
  switch (kind) {
    case 'GetBlockHeaders': {
      const q = fields(body!, `${what} query`, 4);
      return {
        kind,
        requestId,
        origin: readOrigin(q[0], `${what} origin`),
        amount: readU64(q[1], `${what} amount`),
        skip: readU64(q[2], `${what} skip`),
        reverse: readFlag(q[3], `${what} reverse`),
      };
    }
    case 'BlockHeaders':
      return { kind, requestId, headers: readList(body, `${what} headers`, headerFromRlp) };
    case 'GetBlockBodies':
      return { kind, requestId, hashes: readHashList(body, `${what} hashes`) };
    case 'BlockBodies':
      return { kind, requestId, bodies: readList(body, `${what} bodies`, bodyFromRlp) };
    case 'GetPooledTransactions':
      return { kind, requestId, hashes: readHashList(body, `${what} hashes`) };
    case 'PooledTransactions':
      return { kind, requestId, transactions: readList(body, `${what} transactions`, transactionFromRlp) };
    case 'GetNodeData':
      return { kind, requestId, hashes: readHashList(body, `${what} hashes`) };
    case 'NodeData':
      return { kind, requestId, values: readList(body, `${what} values`, readBytes) };
    case 'GetReceipts':
      if (partial) {
        return {
          kind,
          form: 'eth70',
          requestId,
          firstBlockReceiptIndex: readU64(f[1], `${what} firstBlockReceiptIndex`),
          hashes: readHashList(body, `${what} hashes`),
        };
      }
      return { kind, form: 'eth66', requestId, hashes: readHashList(body, `${what} hashes`) };
    case 'Receipts': {
      if (version === 66 || version === 67 || version === 68) {
        const receipts = readList(body, `${what} receipts`, (l, at) => readList(l, at, receiptEth66FromRlp));
        return { kind, form: 'eth66', requestId, receipts };
      }
      const receipts = readList(body, `${what} receipts`, (l, at) => readList(l, at, receiptEth69FromRlp));
      if (!partial) return { kind, form: 'eth69', requestId, receipts };
      return { kind, form: 'eth70', requestId, lastBlockIncomplete: readFlag(f[1], `${what} lastBlockIncomplete`), receipts };
    }
    default:
      // Every kind is routed above; reaching here means the code table and this switch disagree.
      throw new DecodeError('unknown-type', what, `no decoder for ${kind}`);
  }
}

/** Decodes one eth message payload (msg-data, after snappy) received on a session of `version`. */
export function decodeEthMessage(version: EthVersion, code: number, payload: Uint8Array): EthMessage {
  assertEthVersion(version);
  const kind = kindOfCode(version, code);
  const what = kind === undefined ? `eth/${version} message` : `eth/${version} ${kind}`;
  if (kind === undefined) {
    throw new DecodeError('unknown-type', what, `message code 0x${code.toString(16).padStart(2, '0')} is not defined in eth/${version}`);
  }
  return decodeBody(kind, version, decodeRlp(payload, what), what);
}

function encodeBody(msg: EthMessage, what: string): RlpInput {
  switch (msg.kind) {
    case 'Status':
      return statusToRlp(msg, what);
    case 'NewBlockHashes':
      return msg.announcements.map((a, i) => [fixed(a.hash, 32, `${what}[${i}] hash`), u64(a.number, `${what}[${i}] number`)]);
    case 'Transactions':
      return msg.transactions.map(transactionToRlp);
    case 'GetBlockHeaders': {
      const origin = 'hash' in msg.origin ? fixed(msg.origin.hash, 32, `${what} origin`) : u64(msg.origin.number, `${what} origin`);
      return [
        reqId(msg.requestId, what),
        [origin, u64(msg.amount, `${what} amount`), u64(msg.skip, `${what} skip`), msg.reverse ? 1 : 0],
      ];
    }
    case 'BlockHeaders':
      return [reqId(msg.requestId, what), msg.headers.map(headerToRlp)];
    case 'GetBlockBodies':
    case 'GetPooledTransactions':
    case 'GetNodeData':
      return [reqId(msg.requestId, what), hashes(msg.hashes, `${what} hashes`)];
    case 'BlockBodies':
      return [reqId(msg.requestId, what), msg.bodies.map(bodyToRlp)];
    case 'NewBlock':
      return [blockToRlp(msg.block), u256(msg.td, `${what} td`)];
    case 'NewPooledTransactionHashes': {
      if (msg.form === 'eth66') return hashes(msg.hashes, `${what} hashes`);
      const { types, sizes } = msg;
      if (types.length !== sizes.length || sizes.length !== msg.hashes.length) {
        throw new RangeError(`${what}: types, sizes and hashes must have equal lengths`);
      }
      return [
        bytesField(types, `${what} types`),
        sizes.map((s, i) => checkUint(BigInt(s), UINT32_MAX, `${what} sizes[${i}]`)),
        hashes(msg.hashes, `${what} hashes`),
      ];
    }
    case 'PooledTransactions':
      return [reqId(msg.requestId, what), msg.transactions.map(transactionToRlp)];
    case 'NodeData':
      return [reqId(msg.requestId, what), msg.values.map((v, i) => bytesField(v, `${what} values[${i}]`))];
    case 'GetReceipts':
      if (msg.form === 'eth70') {
        return [
          reqId(msg.requestId, what),
          u64(msg.firstBlockReceiptIndex, `${what} firstBlockReceiptIndex`),
          hashes(msg.hashes, `${what} hashes`),
        ];
      }
      return [reqId(msg.requestId, what), hashes(msg.hashes, `${what} hashes`)];
    case 'Receipts': {
      if (msg.form === 'eth66') {
        return [reqId(msg.requestId, what), msg.receipts.map((l) => l.map((r) => receiptEth66ToRlp(r, `${what} receipt`)))];
      }
      const lists = msg.receipts.map((l) => l.map((r) => receiptEth69ToRlp(r, `${what} receipt`)));
      if (msg.form === 'eth69') return [reqId(msg.requestId, what), lists];
      return [reqId(msg.requestId, what), msg.lastBlockIncomplete ? 1 : 0, lists];
    }
    case 'BlockRangeUpdate':
      return [
        u64(msg.earliestBlock, `${what} earliestBlock`),
        u64(msg.latestBlock, `${what} latestBlock`),
        fixed(msg.latestBlockHash, 32, `${what} latestBlockHash`),
      ];
  }
}

/**
 * Encodes a message for a session of `version`. Throws RangeError when the
 * message does not exist at that version, has the wrong form for it, or holds
 * a value its decoder would reject.
 */
export function encodeEthMessage(version: EthVersion, msg: EthMessage): EncodedEthMessage {
  assertEthVersion(version);
  const what = `eth/${version} ${msg.kind}`;
  if (!isDefinedAt(msg.kind, version)) throw new RangeError(`${what}: not defined in eth/${version}`);
  const form = expectedForm(msg.kind, version);
  if (form !== undefined && !('form' in msg && msg.form === form)) {
    throw new RangeError(`${what}: eth/${version} uses the ${form} form`);
  }
  return { code: ETH_MESSAGE_CODES[msg.kind], payload: encodeRlp(encodeBody(msg, what)) };
}

/**
 * BlockHeaders or BlockBodies from items already encoded (headerToRlp /
 * bodyToRlp of stored blocks): the same bytes as encodeEthMessage, without
 * re-encoding every header or body of every reply.
 */
export function encodeServedReply(kind: 'BlockHeaders' | 'BlockBodies', requestId: bigint, encodedItems: readonly Uint8Array[]): EncodedEthMessage {
  const id = encodeRlp(reqId(requestId, `${kind} requestId`));
  return { code: ETH_MESSAGE_CODES[kind], payload: encodeRlpListOfEncoded([id, encodeRlpListOfEncoded(encodedItems)]) };
}
