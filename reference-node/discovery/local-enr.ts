/**
 * Our own node record (EIP-778) and its sequence number. The seq must only
 * ever grow for a given key, or peers that cached a higher one would never
 * take our new record: so the last record is kept in the node database, a
 * record with the same content is reused as it is, and any change (address,
 * ports, extra entries) signs a new one with seq + 1.
 *
 * With no stored record the first seq is the current time in milliseconds,
 * as geth does (LocalNode with an empty database): wiping the database but
 * keeping the key then still yields a seq above every one published before.
 */
import { isIPv6 } from 'node:net';
import { equalBytes } from '../wire/bytes.js';
import { createEnr, encodeEnr, type Enr, type EnrOptions } from '../wire/enr.js';
import type { PrivateKey } from '../wire/keys.js';
import type { RlpItem } from '../wire/rlp.js';
import type { NodeDb } from './node-db.js';

export interface LocalEndpoint {
  ip: string;
  udpPort: number;
  /** 0: no RLPx port (the record then has no "tcp" entry). */
  tcpPort: number;
  /** Further entries, e.g. "eth" with the fork ID. */
  entries?: Readonly<Record<string, RlpItem>> | undefined;
}

function recordOptions(privateKey: PrivateKey, endpoint: LocalEndpoint, seq: bigint): EnrOptions {
  const options: EnrOptions = { privateKey, seq, entries: endpoint.entries ?? {} };
  const tcp = endpoint.tcpPort > 0 ? endpoint.tcpPort : undefined;
  if (isIPv6(endpoint.ip)) {
    options.ip6 = endpoint.ip;
    options.udp6 = endpoint.udpPort;
    if (tcp !== undefined) options.tcp6 = tcp;
  } else {
    options.ip = endpoint.ip;
    options.udp = endpoint.udpPort;
    if (tcp !== undefined) options.tcp = tcp;
  }
  return options;
}

/**
 * The record for `endpoint`: the stored one if it already says exactly that,
 * else a new one with a higher seq (stored in `db`). `initialSeq` is used when
 * the database holds no record for this key.
 */
export function localRecord(privateKey: PrivateKey, db: NodeDb, endpoint: LocalEndpoint, nodeId: Uint8Array, initialSeq?: bigint): Enr {
  const stored = db.localEnr(nodeId);
  if (stored !== undefined) {
    // Signing is deterministic (RFC 6979): same content and seq give the same bytes.
    const same = createEnr(recordOptions(privateKey, endpoint, stored.seq));
    if (equalBytes(encodeEnr(same), encodeEnr(stored))) return stored;
  }
  const seq = stored !== undefined ? stored.seq + 1n : (initialSeq ?? BigInt(Date.now()));
  const record = createEnr(recordOptions(privateKey, endpoint, seq));
  db.storeLocalEnr(record);
  return record;
}
