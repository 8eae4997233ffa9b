/**
 * The Kademlia table, after geth's p2p/discover/table.go: buckets of at most
 * k = 16 nodes by log distance from our ID, each with up to 10 replacements,
 * and limits on how many addresses may share a /24. Pure state: no sockets,
 * no timers; the service feeds it what the network says and asks it what to
 * ping and what to answer.
 *
 * Buckets. geth keeps 17 buckets (nBuckets = 256 / 15) for log distances 240
 * to 256 and folds every closer distance (<= 239) into bucket 0: with random
 * IDs half of all nodes are at distance 256, a quarter at 255, and so on, so
 * a bucket below 240 would practically never hold anything. We do the same,
 * so our table fills exactly as geth's does.
 *
 * IP limits. At most 2 addresses per /24 in a bucket and 10 per /24 in the
 * table; replacements count too. geth's DistinctNetSet itself exempts
 * nothing: the exemption is in Table.addIP, which skips the limits for LAN
 * addresses (netutil.AddrIsLAN: loopback 127.0.0.0/8 and ::1, RFC 1918 and
 * ULA private ranges, link-local). We follow that, which is also what lets 20
 * nodes on 127.0.0.1 share one table. Addresses that are unspecified or not
 * 4/16 bytes are never added.
 */
import { bytesToHex } from '../wire/bytes.js';
import type { NodeId } from '../wire/keys.js';
import { compareDistance, logDist, NodesByDistance } from './distance.js';
import { DistinctNetSet, isLan, isUnspecified, parseIp } from './netutil.js';
import { Revalidation, type RevalidationList } from './revalidation.js';
import { seqOf, type DiscoveredNode } from './types.js';

export const ALPHA = 3;
export const BUCKET_SIZE = 16;
export const MAX_REPLACEMENTS = 10;
export const HASH_BITS = 256;
export const N_BUCKETS = Math.floor(HASH_BITS / 15);
export const BUCKET_MIN_DISTANCE = HASH_BITS - N_BUCKETS;
export const BUCKET_IP_LIMIT = 2;
export const TABLE_IP_LIMIT = 10;
export const IP_SUBNET_BITS = 24;

export interface TableEntry {
  node: DiscoveredNode;
  /** When the node first entered the table or its replacement list (ms). */
  addedToTable: number;
  /** When it last became a bucket entry (ms). */
  addedToBucket: number;
  /** Answered revalidation pings, discounted on failure (geth: divided by 3). */
  livenessChecks: number;
  /** Answered at least one revalidation ping since it was added or its endpoint changed. */
  isValidatedLive: boolean;
  revalList?: RevalidationList<TableEntry> | undefined;
}

interface Bucket {
  index: number;
  /** In order of insertion; geth appends new entries at the end. */
  entries: TableEntry[];
  /** Most recent first. */
  replacements: TableEntry[];
  ips: DistinctNetSet;
}

export interface TableOptions {
  /** The fast revalidation list's interval (geth's PingInterval); the slow list runs at 3x. */
  revalidateIntervalMs: number;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

export class Table {
  readonly revalidation: Revalidation<TableEntry>;
  private readonly buckets: Bucket[];
  private readonly ips = new DistinctNetSet(IP_SUBNET_BITS, TABLE_IP_LIMIT);
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    readonly selfId: NodeId,
    options: TableOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.revalidation = new Revalidation<TableEntry>(options.revalidateIntervalMs, this.random);
    this.buckets = Array.from({ length: N_BUCKETS }, (_, index) => ({
      index,
      entries: [],
      replacements: [],
      ips: new DistinctNetSet(IP_SUBNET_BITS, BUCKET_IP_LIMIT),
    }));
  }

  get size(): number {
    return this.buckets.reduce((n, b) => n + b.entries.length, 0);
  }

  nodes(): DiscoveredNode[] {
    return this.buckets.flatMap((b) => b.entries.map((e) => e.node));
  }

  entries(): TableEntry[] {
    return this.buckets.flatMap((b) => b.entries);
  }

  entry(id: NodeId): TableEntry | undefined {
    const hex = bytesToHex(id);
    return this.bucketFor(id).entries.find((e) => bytesToHex(e.node.nodeId) === hex);
  }

  getNode(id: NodeId): DiscoveredNode | undefined {
    return this.entry(id)?.node;
  }

  /** The bucket a node with this ID belongs in (0 for every log distance <= BUCKET_MIN_DISTANCE). */
  bucketIndex(id: NodeId): number {
    const d = logDist(this.selfId, id);
    return d <= BUCKET_MIN_DISTANCE ? 0 : d - BUCKET_MIN_DISTANCE - 1;
  }

  bucketEntries(index: number): readonly TableEntry[] {
    return this.buckets[index]?.entries ?? [];
  }

  replacements(index: number): readonly TableEntry[] {
    return this.buckets[index]?.replacements ?? [];
  }

  /**
   * A node we heard of (NEIGHBORS, a bootnode, the database). Goes to the end
   * of its bucket if there is room and its subnet is within limits, else to
   * the replacements. An entry already present is updated only by a record
   * with a higher seq. Returns whether it became a bucket entry.
   */
  addFoundNode(node: DiscoveredNode, forceSetLive = false): boolean {
    return this.add(node, false, forceSetLive);
  }

  /**
   * A node that proved itself by pinging us and answering our ping. The
   * caller holds it back while the table is still initializing (geth), so a
   * flood of pings cannot fill an empty table. An entry already present takes
   * the new endpoint whatever its seq: it comes from the node itself.
   */
  addInboundNode(node: DiscoveredNode): boolean {
    return this.add(node, true, false);
  }

  /**
   * Removes a node; if its bucket has replacements, a random one takes its
   * place (and is returned).
   */
  deleteNode(id: NodeId): DiscoveredNode | undefined {
    const b = this.bucketFor(id);
    const hex = bytesToHex(id);
    const i = b.entries.findIndex((e) => bytesToHex(e.node.nodeId) === hex);
    if (i === -1) return undefined;
    const [gone] = b.entries.splice(i, 1);
    this.removeIp(b, gone!.node.ip);
    this.revalidation.nodeRemoved(gone!);
    if (b.replacements.length === 0) return undefined;
    const r = Math.floor(this.random() * b.replacements.length);
    const [rep] = b.replacements.splice(r, 1);
    // Its address was counted when it became a replacement.
    b.entries.push(rep!);
    this.nodeAdded(rep!);
    return rep!.node;
  }

  /**
   * The `count` entries closest to `target`. With preferLive, only nodes that
   * answered a revalidation ping, unless there are none (geth's findnodeByID,
   * which the FINDNODE handler calls with preferLive set).
   */
  closest(target: NodeId, count: number, preferLive = false): DiscoveredNode[] {
    const all = new NodesByDistance<DiscoveredNode>(target, count);
    const live = new NodesByDistance<DiscoveredNode>(target, count);
    for (const b of this.buckets) {
      for (const e of b.entries) {
        all.push(e.node);
        if (preferLive && e.isValidatedLive) live.push(e.node);
      }
    }
    return preferLive && live.entries.length > 0 ? live.entries : all.entries;
  }

  /**
   * Applies a revalidation outcome (geth's handleResponse). A miss divides the
   * liveness count by 3 and removes the node once it reaches 0 (a replacement
   * takes its place); an answer counts up, and a newer record (fetched
   * because the pong's enr-seq was higher) replaces the stored one. Returns
   * the entry when it is still in the table.
   */
  revalidated(entry: TableEntry, responded: boolean, newer?: DiscoveredNode): TableEntry | undefined {
    this.revalidation.done(entry);
    // Removed while the ping was out: do not bring it back.
    if (entry.revalList === undefined) return undefined;
    const now = this.now();
    if (!responded) {
      entry.livenessChecks = Math.floor(entry.livenessChecks / 3);
      if (entry.livenessChecks <= 0) {
        this.deleteNode(entry.node.nodeId);
        return undefined;
      }
      this.revalidation.moveToFast(entry, now);
      return entry;
    }
    entry.livenessChecks++;
    entry.isValidatedLive = true;
    let endpointChanged = false;
    if (newer !== undefined) endpointChanged = this.bump(this.bucketFor(entry.node.nodeId), newer, false).endpointChanged;
    if (!endpointChanged) this.revalidation.moveToSlow(entry, now);
    return entry;
  }

  // ------------------------------------------------------------ internals

  private bucketFor(id: NodeId): Bucket {
    return this.buckets[this.bucketIndex(id)]!;
  }

  private add(node: DiscoveredNode, isInbound: boolean, forceSetLive: boolean): boolean {
    if (compareDistance(this.selfId, node.nodeId, this.selfId) === 0) return false;
    const b = this.bucketFor(node.nodeId);
    if (this.bump(b, node, isInbound).entry !== undefined) return false;
    if (b.entries.length >= BUCKET_SIZE) {
      this.addReplacement(b, node);
      return false;
    }
    if (!this.addIp(b, node.ip)) return false;
    const now = this.now();
    const entry: TableEntry = {
      node,
      addedToTable: now,
      addedToBucket: now,
      livenessChecks: forceSetLive ? 1 : 0,
      isValidatedLive: forceSetLive,
    };
    b.entries.push(entry);
    b.replacements = b.replacements.filter((r) => bytesToHex(r.node.nodeId) !== bytesToHex(node.nodeId));
    this.nodeAdded(entry);
    return true;
  }

  private addReplacement(b: Bucket, node: DiscoveredNode): void {
    const hex = bytesToHex(node.nodeId);
    if (b.replacements.some((r) => bytesToHex(r.node.nodeId) === hex)) return;
    if (!this.addIp(b, node.ip)) return;
    const now = this.now();
    b.replacements.unshift({ node, addedToTable: now, addedToBucket: now, livenessChecks: 0, isValidatedLive: false });
    if (b.replacements.length > MAX_REPLACEMENTS) this.removeIp(b, b.replacements.pop()!.node.ip);
  }

  /**
   * Updates an entry that is already in the bucket. From the node itself
   * (inbound) any change is taken; from third parties only a higher seq,
   * which also means discv4-only nodes (seq 0) learned from NEIGHBORS never
   * overwrite what we have. An address change must fit the IP limits, or the
   * old record stays.
   */
  private bump(b: Bucket, node: DiscoveredNode, isInbound: boolean): { entry?: TableEntry; endpointChanged: boolean } {
    const hex = bytesToHex(node.nodeId);
    const entry = b.entries.find((e) => bytesToHex(e.node.nodeId) === hex);
    if (entry === undefined) return { endpointChanged: false };
    if (!isInbound && seqOf(node) <= seqOf(entry.node)) return { entry, endpointChanged: false };
    const ipChanged = node.ip !== entry.node.ip;
    const portChanged = node.udpPort !== entry.node.udpPort;
    if (ipChanged) {
      this.removeIp(b, entry.node.ip);
      if (!this.addIp(b, node.ip)) {
        this.addIp(b, entry.node.ip);
        return { entry, endpointChanged: false };
      }
    }
    // A ping carries no record: keep the one we have unless the endpoint moved away from it.
    const keepRecord = isInbound && node.enr === undefined && !ipChanged && !portChanged;
    entry.node = keepRecord && entry.node.enr ? { ...node, enr: entry.node.enr } : node;
    if (ipChanged || portChanged) {
      entry.isValidatedLive = false;
      this.revalidation.moveToFast(entry, this.now());
      return { entry, endpointChanged: true };
    }
    return { entry, endpointChanged: false };
  }

  private nodeAdded(entry: TableEntry): void {
    entry.addedToBucket = this.now();
    this.revalidation.nodeAdded(entry, this.now());
  }

  private addIp(b: Bucket, ipText: string): boolean {
    const ip = parseIp(ipText);
    if (ip === undefined || isUnspecified(ip)) return false;
    if (isLan(ip)) return true;
    if (!this.ips.add(ip)) return false;
    if (!b.ips.add(ip)) {
      this.ips.remove(ip);
      return false;
    }
    return true;
  }

  private removeIp(b: Bucket, ipText: string): void {
    const ip = parseIp(ipText);
    if (ip === undefined || isLan(ip)) return;
    this.ips.remove(ip);
    b.ips.remove(ip);
  }
}
