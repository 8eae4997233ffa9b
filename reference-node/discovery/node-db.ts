/**
 * The node database, after geth's p2p/enode/nodedb.go: the nodes we have
 * seen, and per (node ID, IP) when they last pinged us, when they last
 * answered our ping (the endpoint proof) and how many FINDNODEs in a row
 * failed. It also keeps our own ENR, so that the seq only moves forward
 * across restarts.
 *
 * Storage is abstract-level: classic-level (LevelDB) in a directory, or
 * memory-level without one. Everything is also held in memory and read
 * synchronously: the packet handlers ask "is this node bonded?" on every
 * FINDNODE, and an answer must not depend on whether an earlier async put has
 * landed yet. Writes go to memory at once and reach the store in order, in
 * coalesced batches; flush() waits for them, close() flushes first.
 */
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { bytesToHex, hexToBytes } from '../wire/bytes.js';
import { decodeEnr, encodeEnr, enrNodeId, type Enr } from '../wire/enr.js';
import { assertPublicKey, nodeIdOf, type NodeId } from '../wire/keys.js';
import { canonicalIp } from './netutil.js';
import type { DiscoveredNode } from './types.js';

/** Bump when the layout changes: an old database is then wiped on open, as geth does with dbVersion. */
export const NODE_DB_VERSION = '1';
/** geth's dbNodeExpiration: nodes that have not answered a ping for this long are dropped by expire(). */
export const NODE_EXPIRATION_MS = 24 * 60 * 60 * 1000;

type Db = MemoryLevel<string, string> | ClassicLevel<string, string>;

/** Per (ID, IP) discovery bookkeeping; times are milliseconds since the epoch, 0 for never. */
interface EndpointStats {
  lastPing: number;
  lastPong: number;
  findFails: number;
}

interface StoredNodeJson {
  publicKey: string;
  ip: string;
  udpPort: number;
  tcpPort: number;
  enr?: string;
}

interface LocalJson {
  enr: string;
}

// Keys: "version"; "n:<id hex>" a node; "n:<id hex>:<ip>" its stats at that IP; "local:<id hex>" our own record.
const nodeKey = (id: string) => `n:${id}`;
const statsKey = (id: string, ip: string) => `n:${id}:${ip}`;
const localKey = (id: string) => `local:${id}`;

export class NodeDb {
  private readonly nodesById = new Map<string, DiscoveredNode>();
  private readonly stats = new Map<string, EndpointStats>();
  private readonly locals = new Map<string, Enr>();
  /** Keys changed since the last write: the value is read from memory when the batch is built. */
  private readonly dirty = new Set<string>();
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private writeError: unknown;
  private closed = false;

  private constructor(
    private readonly db: Db,
    /** The directory of an on-disk database; undefined in memory. */
    readonly location: string | undefined,
  ) {}

  /** LevelDB in `dir` when given (created if missing), an in-memory database otherwise. */
  static async open(dir?: string): Promise<NodeDb> {
    const db: Db = dir === undefined ? new MemoryLevel<string, string>({ valueEncoding: 'utf8' }) : new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' });
    await db.open();
    const version = await db.get('version');
    if (version !== undefined && version !== NODE_DB_VERSION) await db.clear();
    if (version !== NODE_DB_VERSION) await db.put('version', NODE_DB_VERSION);
    const nodeDb = new NodeDb(db, dir);
    await nodeDb.load();
    return nodeDb;
  }

  get persistent(): boolean {
    return this.location !== undefined;
  }

  // ---------------------------------------------------------------- nodes

  node(id: NodeId): DiscoveredNode | undefined {
    return this.nodesById.get(bytesToHex(id));
  }

  /** Every stored node, in no particular order. */
  nodes(): DiscoveredNode[] {
    return [...this.nodesById.values()];
  }

  /** Stores a node, unless we already hold a record with a higher seq (geth's UpdateNode). */
  updateNode(node: DiscoveredNode): void {
    const id = bytesToHex(node.nodeId);
    const old = this.nodesById.get(id);
    if (old?.enr && (node.enr?.seq ?? 0n) < old.enr.seq) return;
    // Only the fields we persist, so what is read back equals what a restart would load.
    const stored: DiscoveredNode = { publicKey: node.publicKey, nodeId: node.nodeId, ip: canonicalIp(node.ip), udpPort: node.udpPort, tcpPort: node.tcpPort };
    if (node.enr !== undefined) stored.enr = node.enr;
    this.nodesById.set(id, stored);
    this.markDirty(nodeKey(id));
  }

  /** Forgets the node and everything recorded about it. */
  deleteNode(id: NodeId): void {
    const hex = bytesToHex(id);
    if (this.nodesById.delete(hex)) this.markDirty(nodeKey(hex));
    for (const key of this.stats.keys()) {
      if (key.startsWith(`${nodeKey(hex)}:`)) {
        this.stats.delete(key);
        this.markDirty(key);
      }
    }
  }

  /**
   * Up to `count` random stored nodes that answered a ping at their stored IP
   * within `maxAgeMs` of `nowMs`: candidates to re-populate the table after a
   * restart (geth's QuerySeeds, seedCount 30 and seedMaxAge 5 days).
   */
  querySeeds(count: number, maxAgeMs: number, nowMs: number, random: () => number = Math.random): DiscoveredNode[] {
    const fresh = this.nodes().filter((n) => nowMs - this.lastPongReceived(n.nodeId, n.ip) <= maxAgeMs);
    for (let i = fresh.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [fresh[i], fresh[j]] = [fresh[j]!, fresh[i]!];
    }
    return fresh.slice(0, count);
  }

  /**
   * Drops nodes (and their stats) that have not answered a ping since
   * `nowMs - maxAgeMs`, and stats of addresses silent that long; returns how
   * many nodes went.
   */
  expire(nowMs: number, maxAgeMs = NODE_EXPIRATION_MS): number {
    const lastPongById = new Map<string, number>();
    for (const [key, s] of [...this.stats]) {
      const id = key.slice(2, 2 + 64);
      lastPongById.set(id, Math.max(lastPongById.get(id) ?? 0, s.lastPong));
      // Bookkeeping for an address that has been silent that long is worthless too.
      if (nowMs - Math.max(s.lastPing, s.lastPong) > maxAgeMs) {
        this.stats.delete(key);
        this.markDirty(key);
      }
    }
    let dropped = 0;
    for (const node of this.nodes()) {
      if (nowMs - (lastPongById.get(bytesToHex(node.nodeId)) ?? 0) > maxAgeMs) {
        this.deleteNode(node.nodeId);
        dropped++;
      }
    }
    return dropped;
  }

  // ---------------------------------------------------------------- per (ID, IP)

  /** When this node last pinged us from `ip` (ms; 0 = never). */
  lastPingReceived(id: NodeId, ip: string): number {
    return this.stat(id, ip)?.lastPing ?? 0;
  }

  updateLastPingReceived(id: NodeId, ip: string, ms: number): void {
    this.setStat(id, ip, { lastPing: ms });
  }

  /** When this node last answered our ping from `ip` (ms; 0 = never): the endpoint proof. */
  lastPongReceived(id: NodeId, ip: string): number {
    return this.stat(id, ip)?.lastPong ?? 0;
  }

  updateLastPongReceived(id: NodeId, ip: string, ms: number): void {
    this.setStat(id, ip, { lastPong: ms });
  }

  /** Consecutive FINDNODE failures at `ip`. */
  findFails(id: NodeId, ip: string): number {
    return this.stat(id, ip)?.findFails ?? 0;
  }

  updateFindFails(id: NodeId, ip: string, fails: number): void {
    this.setStat(id, ip, { findFails: fails });
  }

  // ---------------------------------------------------------------- our own record

  /** The last record we published under this ID, if any. */
  localEnr(id: NodeId): Enr | undefined {
    return this.locals.get(bytesToHex(id));
  }

  storeLocalEnr(record: Enr): void {
    const id = bytesToHex(enrNodeId(record));
    this.locals.set(id, record);
    this.markDirty(localKey(id));
  }

  // ---------------------------------------------------------------- lifecycle

  /** Resolves once every change made so far is in the store; rejects if a write failed. */
  async flush(): Promise<void> {
    await this.writeBatch();
    await this.writing;
    if (this.writeError !== undefined) {
      const err = this.writeError;
      this.writeError = undefined;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.db.close();
    }
  }

  // ---------------------------------------------------------------- internals

  private stat(id: NodeId, ip: string): EndpointStats | undefined {
    return this.stats.get(statsKey(bytesToHex(id), canonicalIp(ip)));
  }

  private setStat(id: NodeId, ip: string, change: Partial<EndpointStats>): void {
    const key = statsKey(bytesToHex(id), canonicalIp(ip));
    const old = this.stats.get(key) ?? { lastPing: 0, lastPong: 0, findFails: 0 };
    this.stats.set(key, { ...old, ...change });
    this.markDirty(key);
  }

  private markDirty(key: string): void {
    if (this.closed) throw new Error('node database is closed');
    this.dirty.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    // One batch per turn of the event loop: a burst of pings costs one write.
    setImmediate(() => void this.writeBatch());
  }

  private writeBatch(): Promise<void> {
    this.scheduled = false;
    if (this.dirty.size === 0) return this.writing;
    const ops = [...this.dirty].map((key) => {
      const value = this.serialize(key);
      return value === undefined ? { type: 'del' as const, key } : { type: 'put' as const, key, value };
    });
    this.dirty.clear();
    // Chained, so batches land in the order they were made.
    this.writing = this.writing.then(() =>
      this.db.batch(ops).catch((err: unknown) => {
        this.writeError = err;
      }),
    );
    return this.writing;
  }

  private serialize(key: string): string | undefined {
    if (key.startsWith('local:')) {
      const record = this.locals.get(key.slice('local:'.length));
      return record && JSON.stringify({ enr: bytesToHex(encodeEnr(record)) } satisfies LocalJson);
    }
    const stats = this.stats.get(key);
    if (stats) return JSON.stringify(stats);
    const node = this.nodesById.get(key.slice(2));
    if (!node) return undefined;
    const json: StoredNodeJson = { publicKey: bytesToHex(node.publicKey), ip: node.ip, udpPort: node.udpPort, tcpPort: node.tcpPort };
    if (node.enr) json.enr = bytesToHex(encodeEnr(node.enr));
    return JSON.stringify(json);
  }

  /** Reads everything into memory. Entries that do not parse are skipped (and rewritten or dropped later), never fatal. */
  private async load(): Promise<void> {
    for await (const [key, value] of this.db.iterator()) {
      try {
        this.loadEntry(key, value);
      } catch {
        // A corrupt entry costs one node, not the database.
      }
    }
  }

  private loadEntry(key: string, value: string): void {
    if (key === 'version') return;
    if (key.startsWith('local:')) {
      const { enr } = JSON.parse(value) as LocalJson;
      this.locals.set(key.slice('local:'.length), decodeEnr(hexToBytes(enr)));
      return;
    }
    if (!key.startsWith('n:')) return;
    const parts = key.slice(2).split(':');
    if (parts.length === 1) {
      const json = JSON.parse(value) as StoredNodeJson;
      const publicKey = assertPublicKey(hexToBytes(json.publicKey));
      const node: DiscoveredNode = { publicKey, nodeId: nodeIdOf(publicKey), ip: canonicalIp(json.ip), udpPort: json.udpPort, tcpPort: json.tcpPort };
      if (json.enr !== undefined) node.enr = decodeEnr(hexToBytes(json.enr));
      this.nodesById.set(parts[0]!, node);
      return;
    }
    const stats = JSON.parse(value) as EndpointStats;
    this.stats.set(key, { lastPing: Number(stats.lastPing) || 0, lastPong: Number(stats.lastPong) || 0, findFails: Number(stats.findFails) || 0 });
  }
}
