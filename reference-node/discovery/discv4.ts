/**
 * The discv4 discovery service: the wire endpoint, the Kademlia table and the
 * node database put together as geth's UDPv4 + Table do.
 *
 * - Bonding. A node may FINDNODE us (and ask our ENR) only while it holds an
 *   endpoint proof: it answered our ping, from that IP, within 12 hours.
 *   Before we FINDNODE a node that has not pinged us lately, we ping it and
 *   give it up to respTimeout to ping us back (geth's ensureBond), so that it
 *   holds a proof for us when our FINDNODE arrives.
 * - Table upkeep. A refresh (at start, then every refreshInterval / 2 plus a
 *   random part of it) re-reads seeds from the database and the bootnodes,
 *   then runs a lookup for our own key and three for random keys.
 *   Revalidation pings one random node of the fast list and one of the slow
 *   list whenever they are due; a node that misses enough pings is replaced
 *   from its bucket's replacements, and a pong that announces a higher ENR
 *   seq makes us fetch the new record. Nodes that passed more than 5 checks
 *   are written to the database as seeds for the next start.
 * - Nodes from pings enter the table only once our first self lookup is done
 *   (geth: a table still initializing ignores inbound nodes, so a flood of
 *   pings cannot fill it; geth waits for the whole first refresh, see
 *   doRefresh); nodes from NEIGHBORS are checked first (UDP port above 1024,
 *   an address the sender may relay to us, a key on the curve).
 *
 * The service does not own the database: the caller opens it, hands it in and
 * closes it after close().
 */
import { randomBytes } from 'node:crypto';
import { fault } from '../faults/index.js';
import { bytesToHex, equalBytes } from '../wire/bytes.js';
import { ipToString, type NeighborNode } from '../wire/discv4.js';
import type { Enode } from '../wire/enode.js';
import { decodeEnr, encodeEnr, enrEndpoints, enrNodeId, type Enr } from '../wire/enr.js';
import { assertPublicKey, keccak256, nodeIdOf, publicKeyOf, type PrivateKey, type PublicKey } from '../wire/keys.js';
import type { RlpItem } from '../wire/rlp.js';
import { localRecord, type LocalEndpoint } from './local-enr.js';
import { Lookup } from './lookup.js';
import { canonicalIp, canonicalIpBytes, checkRelayIp, parseIp } from './netutil.js';
import { NODE_EXPIRATION_MS, type NodeDb } from './node-db.js';
import { ALPHA, BUCKET_SIZE, Table, type TableEntry } from './table.js';
import { seqOf, type DiscoveredNode } from './types.js';
import { Discv4UdpEndpoint, ENDPOINT_PROOF_LIFETIME_MS, type EndpointStats, type FindNodeRequest } from './udp-endpoint.js';

/** geth's defaults (p2p/discover Config.withDefaults, v4_udp.go). */
export const DEFAULT_REFRESH_INTERVAL_MS = 30 * 60 * 1000;
export const DEFAULT_REVALIDATE_INTERVAL_MS = 3000;
export const DEFAULT_RESP_TIMEOUT_MS = 500;
export const DEFAULT_EMPTY_TABLE_DELAY_MS = 1000;
/** After this many FINDNODE failures in a row a node is dropped from a bucket with at least 4 entries, and re-bonded before the next. */
export const MAX_FINDNODE_FAILURES = 5;
/** geth: seedCount and seedMaxAge for re-populating the table from the database. */
export const SEED_COUNT = 30;
export const SEED_MAX_AGE_MS = 5 * 24 * 60 * 60 * 1000;
/** geth: a node passing more revalidations than this is stored as a seed. */
const SEED_LIVENESS_CHECKS = 5;
const DB_EXPIRY_INTERVAL_MS = 60 * 60 * 1000;

export interface Discv4Options {
  privateKey: PrivateKey;
  /** Known nodes and endpoint proofs; the caller opens and closes it. */
  db: NodeDb;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** UDP port (default 0: any free port; see `port`). */
  port?: number;
  /** Our RLPx port, advertised in Ping.from and the ENR (default 0: none). */
  tcpPort?: number;
  /** The IP in our ENR and Ping.from (default: host, or 127.0.0.1 when binding to 0.0.0.0 or ::). */
  advertiseIp?: string;
  /** Contact points while the table and database are empty. Entries with discport 0 or our own key are skipped. */
  bootnodes?: readonly Enode[];
  /** ENR seq to start from when the database holds no record of ours (default: now in ms, as geth). */
  enrSeq?: bigint;
  /** Further ENR entries, e.g. "eth" (the fork ID). */
  enrEntries?: Readonly<Record<string, RlpItem>>;
  /** Table refresh period (default 30 min); each refresh runs after half of it plus a random part of the other half. */
  refreshIntervalMs?: number;
  /** Revalidation: the fast list's interval (default 3 s), the slow list's is 3x. */
  revalidateIntervalMs?: number;
  /** How long to wait for any reply (default 500 ms, as geth). */
  respTimeoutMs?: number;
  /** How long a lookup over an empty table waits before it gives up (default 1 s, as geth), so walks do not spin. */
  emptyTableDelayMs?: number;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Uniform in [0, 1) for table choices (default Math.random). */
  random?: () => number;
}

export interface PingResult {
  /** The enr-seq the pong carried (EIP-868), if any. */
  enrSeq?: bigint;
  rttMs: number;
}

export interface TableCounters {
  /** Nodes that pinged us (and bonded) before our first self lookup ended, and were not added (geth's rule). */
  inboundBeforeInit: number;
  /** Revalidation pings that got no pong. */
  revalidationFailures: number;
  /** Nodes removed after failed revalidation. */
  droppedDead: number;
  /** Nodes removed after too many FINDNODE failures in a row. */
  droppedFindFails: number;
  /** Newer records fetched because a pong announced a higher seq. */
  enrFetched: number;
}

export class Discv4Error extends Error {
  override readonly name = 'Discv4Error';
}

export class Discv4 {
  readonly publicKey: PublicKey;
  readonly nodeId: Uint8Array;
  private readonly table: Table;
  private readonly nursery: DiscoveredNode[];
  private readonly respTimeoutMs: number;
  private readonly refreshIntervalMs: number;
  private readonly emptyTableDelayMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private readonly background = new Set<Promise<unknown>>();
  /** `${idHex}@${ip}` -> callbacks waiting for that node to ping us (ensureBond). */
  private readonly pingWaiters = new Map<string, Set<() => void>>();
  private endpointValue: Discv4UdpEndpoint | undefined;
  private record: Enr | undefined;
  private localEndpoint: LocalEndpoint;
  private refreshing: Promise<void> | undefined;
  private firstRefresh: Promise<void> | undefined;
  private initDone = false;
  private closed = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private revalidateTimer: NodeJS.Timeout | undefined;
  private revalidateAt = Infinity;
  private expiryTimer: NodeJS.Timeout | undefined;
  private backgroundErrors = 0;
  private lastBackgroundError: unknown;
  private readonly tableCounters: TableCounters = { inboundBeforeInit: 0, revalidationFailures: 0, droppedDead: 0, droppedFindFails: 0, enrFetched: 0 };

  private constructor(private readonly options: Discv4Options) {
    this.publicKey = publicKeyOf(options.privateKey);
    this.nodeId = nodeIdOf(this.publicKey);
    this.respTimeoutMs = options.respTimeoutMs ?? DEFAULT_RESP_TIMEOUT_MS;
    this.refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
    this.emptyTableDelayMs = options.emptyTableDelayMs ?? DEFAULT_EMPTY_TABLE_DELAY_MS;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.table = new Table(this.nodeId, {
      revalidateIntervalMs: options.revalidateIntervalMs ?? DEFAULT_REVALIDATE_INTERVAL_MS,
      random: this.random,
      now: this.now,
    });
    this.nursery = (options.bootnodes ?? []).filter((b) => b.udpPort !== 0 && !equalBytes(b.publicKey, this.publicKey)).map(fromEnode);
    this.localEndpoint = { ip: '', udpPort: 0, tcpPort: options.tcpPort ?? 0, entries: options.enrEntries };
  }

  /** Binds the UDP socket, signs our record, seeds the table and starts the first refresh (not awaited). */
  static async start(options: Discv4Options): Promise<Discv4> {
    const d = new Discv4(options);
    await d.open();
    return d;
  }

  /** The UDP port we listen on. */
  get port(): number {
    return this.endpoint.udpPort;
  }

  /** Packet counters of the wire endpoint, table upkeep counters, and failures in background tasks (bugs, never peers' faults). */
  get stats(): EndpointStats & TableCounters & { backgroundErrors: number } {
    return { ...this.endpoint.stats, ...this.tableCounters, backgroundErrors: this.backgroundErrors };
  }

  get lastError(): unknown {
    return this.lastBackgroundError ?? this.endpoint.lastInternalError;
  }

  /** Our current signed record. */
  localEnr(): Enr {
    return this.record!;
  }

  /** Ourselves as other nodes see us. */
  localNode(): DiscoveredNode {
    return { publicKey: this.publicKey, nodeId: this.nodeId, ip: this.localEndpoint.ip, udpPort: this.port, tcpPort: this.localEndpoint.tcpPort, enr: this.record! };
  }

  /**
   * Changes what our record says (the RLPx port once known, the "eth" entry
   * after a fork). A real change signs a new record with seq + 1, which our
   * next pongs announce; no change keeps the record as it is.
   */
  updateLocalRecord(change: { tcpPort?: number; entries?: Readonly<Record<string, RlpItem>> }): Enr {
    if (change.tcpPort !== undefined) {
      this.localEndpoint = { ...this.localEndpoint, tcpPort: change.tcpPort };
      this.endpoint.setTcpPort(change.tcpPort);
    }
    if (change.entries !== undefined) this.localEndpoint = { ...this.localEndpoint, entries: change.entries };
    this.signRecord();
    return this.record!;
  }

  /** The nodes in the table's buckets (not the replacements). */
  tableNodes(): DiscoveredNode[] {
    return this.table.nodes();
  }

  /** Table entries with their liveness bookkeeping, for diagnostics (admin RPC, tests). */
  tableEntries(): readonly Readonly<TableEntry>[] {
    return this.table.entries();
  }

  /**
   * An iterative lookup (alpha = 3) for the nodes closest to `target` (a
   * 64-byte public key, random when absent); resolves with up to 16, closest
   * first. With an empty table it first waits for a refresh.
   */
  async lookup(target?: PublicKey): Promise<DiscoveredNode[]> {
    if (target !== undefined && target.length !== 64) throw new RangeError(`lookup target must be a 64-byte public key, got ${target.length} bytes`);
    if (this.closed) return [];
    if (this.table.size === 0) await this.refresh();
    return this.newLookup(target ?? randomTarget()).run();
  }

  /**
   * An endless random walk of the DHT for a dial scheduler: each lookup for a
   * random key yields the table's nodes and then every node it discovers, in
   * the order replies arrive; then the next lookup starts. A node can come
   * again in a later lookup. Ends when the service closes (or the consumer
   * stops iterating).
   */
  async *randomNodes(): AsyncGenerator<DiscoveredNode, void, undefined> {
    while (!this.closed) {
      const lookup = this.newLookup(randomTarget());
      for (;;) {
        const batch = await lookup.advance();
        if (batch === undefined) break;
        for (const n of batch) {
          if (this.closed) return;
          yield n;
        }
      }
    }
  }

  /** Pings a node and waits for its pong (respTimeout); rejects with Discv4TimeoutError when none comes. */
  async ping(node: Pick<DiscoveredNode, 'publicKey' | 'ip' | 'udpPort'>): Promise<PingResult> {
    const reply = await this.endpoint.ping({ ip: node.ip, udpPort: node.udpPort, publicKey: node.publicKey }, this.respTimeoutMs);
    return reply.pong.enrSeq === undefined ? { rttMs: reply.rttMs } : { enrSeq: reply.pong.enrSeq, rttMs: reply.rttMs };
  }

  /**
   * Asks a node for its record (EIP-868), bonding first if it has not pinged
   * us lately. The record must verify, belong to the node's key and name an
   * address the node may relay to us; a record older than the one we hold
   * gives back ours.
   */
  async requestEnr(node: DiscoveredNode): Promise<Enr> {
    await this.ensureBond(node);
    const reply = await this.endpoint.requestEnr({ ip: node.ip, udpPort: node.udpPort, publicKey: node.publicKey }, this.respTimeoutMs);
    const record = decodeEnr(reply.enr);
    if (!equalBytes(enrNodeId(record), node.nodeId)) throw new Discv4Error(`ENRResponse from ${node.ip}:${node.udpPort} holds the record of another node`);
    if (node.enr !== undefined && record.seq < node.enr.seq) return node.enr;
    const ep = recordEndpoint(record);
    const sender = parseIp(node.ip)!;
    if (ep !== undefined) {
      const why = checkRelayIp(sender, parseIp(ep.ip)!);
      if (why !== undefined) throw new Discv4Error(`record from ${node.ip} names ${ep.ip}: ${why}`);
    }
    return record;
  }

  /**
   * Resolves once the first refresh is over: the table is seeded and nodes
   * that ping us are taken in (not before our first self lookup, see the
   * module comment). A bootnode started alone is ready after four empty
   * lookups (4 x emptyTableDelayMs).
   */
  ready(): Promise<void> {
    return this.firstRefresh ?? Promise.resolve();
  }

  /** Runs a refresh now (or joins the one in progress) and resolves when it is done. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.refreshing === undefined) {
      clearTimeout(this.refreshTimer);
      this.refreshing = this.track(this.doRefresh()).finally(() => {
        this.refreshing = undefined;
        this.initDone = true;
        this.scheduleRefresh();
      });
    }
    return this.refreshing;
  }

  /** Stops every timer and request, closes the socket and flushes the database (which stays open). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    clearTimeout(this.refreshTimer);
    clearTimeout(this.revalidateTimer);
    clearInterval(this.expiryTimer);
    for (const waiters of this.pingWaiters.values()) for (const w of waiters) w();
    this.pingWaiters.clear();
    await this.endpoint.close();
    await Promise.allSettled([...this.background]);
    await this.options.db.flush();
  }

  // ------------------------------------------------------------ start-up

  private get endpoint(): Discv4UdpEndpoint {
    if (this.endpointValue === undefined) throw new Error('discv4 not started');
    return this.endpointValue;
  }

  private async open(): Promise<void> {
    const { options } = this;
    const endpoint = await Discv4UdpEndpoint.open({
      privateKey: options.privateKey,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      tcpPort: options.tcpPort ?? 0,
      ...(options.advertiseIp === undefined ? {} : { advertiseIp: options.advertiseIp }),
      bonds: options.db,
      now: () => this.now() / 1000,
      findNodeHandler: (req) => this.answerFindNode(req),
      onInboundNode: (node) => this.onInboundNode(node),
      onPingReceived: (id, ip) => this.onPingReceived(id, ip),
    });
    this.endpointValue = endpoint;
    if (fault('discv4-add-unsolicited-neighbors')) {
      // Every NEIGHBORS entry straight into the table, asked for or not (and before the table is open to inbound nodes).
      endpoint.onPacket((d, from) => {
        if (d.packet.type !== 'neighbors') return;
        const sender = parseIp(from.ip);
        for (const rn of d.packet.nodes) {
          const n = sender && nodeFromNeighbor(sender, rn);
          if (n) this.table.addFoundNode(n);
        }
      });
    }
    const host = options.host ?? '127.0.0.1';
    const ip = options.advertiseIp ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
    this.localEndpoint = { ...this.localEndpoint, ip: canonicalIp(ip), udpPort: endpoint.udpPort };
    try {
      this.signRecord();
    } catch (err) {
      await endpoint.close();
      throw err;
    }
    this.loadSeedNodes();
    this.expiryTimer = setInterval(() => this.options.db.expire(this.now(), NODE_EXPIRATION_MS), DB_EXPIRY_INTERVAL_MS).unref();
    this.firstRefresh = this.refresh();
  }

  private signRecord(): void {
    const record = localRecord(this.options.privateKey, this.options.db, this.localEndpoint, this.nodeId, this.options.enrSeq);
    if (this.record !== undefined && equalBytes(encodeEnr(record), encodeEnr(this.record))) return;
    this.record = record;
    this.endpoint.setEnr(encodeEnr(record), record.seq);
  }

  /** geth's loadSeedNodes: recently live nodes from the database, then the bootnodes, as found nodes. */
  private loadSeedNodes(): void {
    const seeds = this.options.db.querySeeds(SEED_COUNT, SEED_MAX_AGE_MS, this.now(), this.random);
    for (const n of [...seeds, ...this.nursery]) this.table.addFoundNode(n);
    this.kickRevalidation();
  }

  // ------------------------------------------------------------ refresh

  private async doRefresh(): Promise<void> {
    this.loadSeedNodes();
    await this.newLookup(this.publicKey).run();
    // geth opens the table to inbound nodes only when the whole first refresh is over. We do
    // it after the self lookup: the table then holds our neighbourhood, which is what the rule
    // protects, and the three random lookups, slow in pure JS on a busy process, no longer
    // make a new node ignore everyone who contacts it meanwhile.
    this.initDone = true;
    // Kademlia would refresh the least recently used bucket, but a target in a chosen bucket needs a keccak preimage; geth does three random lookups instead.
    for (let i = 0; i < 3 && !this.closed; i++) await this.newLookup(randomTarget()).run();
  }

  private scheduleRefresh(): void {
    if (this.closed) return;
    const half = this.refreshIntervalMs / 2;
    this.refreshTimer = setTimeout(() => void this.refresh(), half + Math.floor(this.random() * half));
    this.refreshTimer.unref();
  }

  // ------------------------------------------------------------ lookups

  private newLookup(targetKey: Uint8Array): Lookup {
    const target = keccak256(targetKey);
    return new Lookup({
      target,
      selfId: this.nodeId,
      resultSize: BUCKET_SIZE,
      concurrency: ALPHA,
      initial: () => this.table.closest(target, BUCKET_SIZE, false),
      query: (n) => this.track(this.queryNode(n, targetKey)),
      onEmptyTable: () => this.sleep(this.emptyTableDelayMs),
      isClosed: () => this.closed,
    });
  }

  /** One lookup step (geth's lookup.query + trackRequest): FINDNODE, then book the outcome. */
  private async queryNode(node: DiscoveredNode, targetKey: Uint8Array): Promise<DiscoveredNode[]> {
    let found: DiscoveredNode[] = [];
    try {
      found = await this.findNode(node, targetKey);
    } catch {
      // A timeout or send error: an empty reply for the lookup, a failure for the bookkeeping.
    }
    if (this.closed) return found;
    this.trackRequest(node, found.length > 0, found);
    return found;
  }

  private async findNode(node: DiscoveredNode, targetKey: Uint8Array): Promise<DiscoveredNode[]> {
    await this.ensureBond(node);
    if (this.closed) return [];
    const raw = await this.endpoint.findNode({ ip: node.ip, udpPort: node.udpPort, publicKey: node.publicKey }, targetKey, this.respTimeoutMs);
    const sender = parseIp(node.ip)!;
    return raw.flatMap((rn) => nodeFromNeighbor(sender, rn) ?? []);
  }

  /**
   * A FINDNODE can only succeed if the node holds our endpoint proof. If it
   * has not pinged us lately (or keeps failing), ping it and give it up to
   * respTimeout to ping us back; our pong to that ping is its proof.
   */
  private async ensureBond(node: DiscoveredNode): Promise<void> {
    if (this.closed) return;
    const { db } = this.options;
    const tooOld = this.now() - db.lastPingReceived(node.nodeId, node.ip) > ENDPOINT_PROOF_LIFETIME_MS;
    if (!tooOld && db.findFails(node.nodeId, node.ip) <= MAX_FINDNODE_FAILURES) return;
    const pingedUs = this.waitForPing(node);
    try {
      await this.endpoint.ping({ ip: node.ip, udpPort: node.udpPort, publicKey: node.publicKey }, this.respTimeoutMs);
    } catch {
      pingedUs.cancel();
      return;
    }
    await pingedUs.promise;
  }

  private trackRequest(node: DiscoveredNode, success: boolean, found: DiscoveredNode[]): void {
    const { db } = this.options;
    const fails = success ? 0 : db.findFails(node.nodeId, node.ip) + 1;
    db.updateFindFails(node.nodeId, node.ip, fails);
    // Only when the bucket has others to spare: small (test) networks must not lose their only contacts.
    if (fails >= MAX_FINDNODE_FAILURES && this.table.bucketEntries(this.table.bucketIndex(node.nodeId)).length >= BUCKET_SIZE / 4) {
      if (this.table.getNode(node.nodeId) !== undefined) this.tableCounters.droppedFindFails++;
      this.table.deleteNode(node.nodeId);
    }
    for (const n of found) this.table.addFoundNode(n);
    this.kickRevalidation();
  }

  // ------------------------------------------------------------ serving

  private answerFindNode(req: FindNodeRequest): NeighborNode[] {
    const closest = this.table.closest(keccak256(req.target), BUCKET_SIZE, true);
    const asker = canonicalIpBytes(parseIp(req.from.ip)!);
    const out: NeighborNode[] = [];
    for (const n of closest) {
      const ip = parseIp(n.ip)!;
      // Never hand a loopback or LAN address to a host outside it.
      if (checkRelayIp(asker, ip) === undefined) out.push({ ip, udpPort: n.udpPort, tcpPort: n.tcpPort, publicKey: n.publicKey });
    }
    return out;
  }

  private onInboundNode(node: DiscoveredNode): void {
    if (this.closed) return;
    if (!this.initDone) {
      this.tableCounters.inboundBeforeInit++;
      return;
    }
    this.table.addInboundNode(node);
    this.kickRevalidation();
  }

  private onPingReceived(id: Uint8Array, ip: string): void {
    const key = `${bytesToHex(id)}@${ip}`;
    const waiters = this.pingWaiters.get(key);
    if (waiters === undefined) return;
    this.pingWaiters.delete(key);
    for (const w of waiters) w();
  }

  /** Resolves when the node pings us, after respTimeout, or on close; cancel() drops the wait. */
  private waitForPing(node: DiscoveredNode): { promise: Promise<void>; cancel: () => void } {
    const key = `${bytesToHex(node.nodeId)}@${canonicalIp(node.ip)}`;
    let done: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), this.respTimeoutMs);
      timer.unref();
      done = () => {
        clearTimeout(timer);
        const set = this.pingWaiters.get(key);
        set?.delete(done);
        if (set?.size === 0) this.pingWaiters.delete(key);
        resolve();
      };
    });
    const set = this.pingWaiters.get(key) ?? new Set();
    set.add(done);
    this.pingWaiters.set(key, set);
    return { promise, cancel: done };
  }

  // ------------------------------------------------------------ revalidation

  /** Re-arms the revalidation timer for the earliest due list (nodes just added are due within one interval). */
  private kickRevalidation(): void {
    if (this.closed) return;
    const next = Math.min(this.table.revalidation.fast.nextTime, this.table.revalidation.slow.nextTime);
    if (next === Infinity || next >= this.revalidateAt) return;
    clearTimeout(this.revalidateTimer);
    this.revalidateAt = next;
    this.revalidateTimer = setTimeout(() => this.runRevalidation(), Math.max(0, next - this.now()));
    this.revalidateTimer.unref();
  }

  private runRevalidation(): void {
    this.revalidateAt = Infinity;
    if (this.closed) return;
    const { due } = this.table.revalidation.run(this.now());
    for (const entry of due) void this.track(this.revalidate(entry));
    this.kickRevalidation();
  }

  /** geth's doRevalidate + handleResponse. */
  private async revalidate(entry: TableEntry): Promise<void> {
    const node = entry.node;
    let responded = false;
    let newer: DiscoveredNode | undefined;
    try {
      const pong = await this.ping(node);
      responded = true;
      if (pong.enrSeq !== undefined && pong.enrSeq > seqOf(node) && !fault('discv4-no-enr-refresh')) {
        try {
          newer = withRecord(node, await this.requestEnr(node));
          this.tableCounters.enrFetched++;
        } catch {
          // Keep what we have; the next revalidation asks again.
        }
      }
    } catch {
      // No pong.
    }
    if (this.closed) return;
    if (!responded) this.tableCounters.revalidationFailures++;
    const still = this.table.revalidated(entry, responded, newer);
    if (!responded && still === undefined && this.table.getNode(node.nodeId) === undefined) this.tableCounters.droppedDead++;
    if (still !== undefined && still.isValidatedLive && still.livenessChecks > SEED_LIVENESS_CHECKS) this.options.db.updateNode(still.node);
    this.kickRevalidation();
  }

  // ------------------------------------------------------------ plumbing

  /** Keeps background work visible to close(), and counts what it throws. */
  private track<T>(work: Promise<T>): Promise<T> {
    this.background.add(work);
    const done = () => this.background.delete(work);
    work.then(done, (err: unknown) => {
      done();
      if (!this.closed) {
        this.backgroundErrors++;
        this.lastBackgroundError = err;
      }
    });
    return work;
  }

  /** A timer that close() cuts short. */
  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      signal.addEventListener('abort', finish, { once: true });
    });
  }
}

// ------------------------------------------------------------ helpers

function randomTarget(): Uint8Array {
  return new Uint8Array(randomBytes(64));
}

function fromEnode(e: Enode): DiscoveredNode {
  return { publicKey: e.publicKey, nodeId: nodeIdOf(e.publicKey), ip: canonicalIp(e.ip), udpPort: e.udpPort, tcpPort: e.tcpPort };
}

/**
 * A node from a NEIGHBORS entry, or undefined for one geth would refuse
 * (nodeFromRPC): UDP port 1024 or below, an address the sender may not relay
 * (see checkRelayIp), a key off the curve.
 */
function nodeFromNeighbor(sender: Uint8Array, rn: NeighborNode): DiscoveredNode | undefined {
  if (rn.udpPort <= 1024) return undefined;
  const ip = canonicalIpBytes(rn.ip);
  if (checkRelayIp(sender, ip) !== undefined) return undefined;
  try {
    assertPublicKey(rn.publicKey);
  } catch {
    return undefined;
  }
  return { publicKey: rn.publicKey, nodeId: nodeIdOf(rn.publicKey), ip: ipToString(ip)!, udpPort: rn.udpPort, tcpPort: rn.tcpPort };
}

/** The record's IPv4 endpoint with a UDP port, else its IPv6 one, else undefined. */
function recordEndpoint(record: Enr): { ip: string; udp: number; tcp: number } | undefined {
  const { ipv4, ipv6 } = enrEndpoints(record);
  for (const ep of [ipv4, ipv6]) {
    if (ep?.udp !== undefined) return { ip: canonicalIp(ep.ip), udp: ep.udp, tcp: ep.tcp ?? 0 };
  }
  return undefined;
}

/** The node as its (newer) record describes it; a record without a usable endpoint keeps the old one. */
function withRecord(node: DiscoveredNode, record: Enr): DiscoveredNode {
  const ep = recordEndpoint(record);
  return ep === undefined ? { ...node, enr: record } : { ...node, ip: ep.ip, udpPort: ep.udp, tcpPort: ep.tcp, enr: record };
}
