/**
 * The iterative Kademlia lookup, after geth's lookup.go: start from the k
 * closest nodes the table knows, keep up to alpha = 3 FindNode queries in
 * flight to the closest nodes not yet asked, merge what comes back into a
 * result of the k closest seen, and stop when every node in it has been asked.
 *
 * advance() yields the new nodes of each reply as it lands, so the same
 * object serves a one-shot lookup (run) and the endless random walk a dial
 * scheduler consumes (Discv4.randomNodes). A failed query counts as an empty
 * reply; the query function itself records failures where they matter.
 */
import { bytesToHex } from '../wire/bytes.js';
import type { NodeId } from '../wire/keys.js';
import { NodesByDistance } from './distance.js';
import type { DiscoveredNode } from './types.js';

export interface LookupOptions {
  target: NodeId;
  selfId: NodeId;
  /** k: the result size, and how many table nodes seed the lookup. */
  resultSize: number;
  /** alpha: queries in flight at once. */
  concurrency: number;
  /** The table's closest nodes to the target, read when the lookup starts. */
  initial: () => DiscoveredNode[];
  /** Sends FindNode (bonding first if needed) and returns the nodes it yielded. */
  query: (node: DiscoveredNode) => Promise<DiscoveredNode[]>;
  /** Waited on when the table is empty, so an endless walk over an empty table does not spin. */
  onEmptyTable?: () => Promise<void>;
  /** True once the service is closing: no new queries start. */
  isClosed?: () => boolean;
}

export class Lookup {
  private readonly result: NodesByDistance<DiscoveredNode>;
  private readonly asked = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly replies: DiscoveredNode[][] = [];
  private wake: (() => void) | undefined;
  /** -1 until the table has been read (geth's "first query is the local table"). */
  private queries = -1;

  constructor(private readonly options: LookupOptions) {
    this.result = new NodesByDistance<DiscoveredNode>(options.target, options.resultSize);
    // Never query ourselves, nor count ourselves as found, should a neighbor list name us.
    this.asked.add(bytesToHex(options.selfId));
    this.seen.add(bytesToHex(options.selfId));
  }

  /** The closest nodes seen so far (the final answer once advance() returned undefined). */
  get closest(): DiscoveredNode[] {
    return [...this.result.entries];
  }

  /** Runs to completion; the k closest nodes found. */
  async run(): Promise<DiscoveredNode[]> {
    while ((await this.advance()) !== undefined);
    return this.closest;
  }

  /**
   * Waits for replies until one brings nodes not seen before and returns
   * those; undefined when the lookup is over (nothing left to ask, or closed).
   */
  async advance(): Promise<DiscoveredNode[] | undefined> {
    while (await this.startQueries()) {
      const nodes = await this.nextReply();
      this.queries--;
      const fresh: DiscoveredNode[] = [];
      for (const n of nodes) {
        const id = bytesToHex(n.nodeId);
        if (this.seen.has(id)) continue;
        this.seen.add(id);
        this.result.push(n);
        fresh.push(n);
      }
      if (fresh.length > 0) return fresh;
    }
    return undefined;
  }

  private async startQueries(): Promise<boolean> {
    if (this.options.isClosed?.()) return false;
    if (this.queries === -1) {
      const closest = this.options.initial();
      if (closest.length === 0) await this.options.onEmptyTable?.();
      this.queries = 1;
      this.replies.push(closest);
      return true;
    }
    for (const n of this.result.entries) {
      if (this.queries >= this.options.concurrency) break;
      const id = bytesToHex(n.nodeId);
      if (this.asked.has(id)) continue;
      this.asked.add(id);
      this.queries++;
      this.options.query(n).then(
        (found) => this.deliver(found),
        () => this.deliver([]),
      );
    }
    return this.queries > 0;
  }

  private deliver(nodes: DiscoveredNode[]): void {
    this.replies.push(nodes);
    this.wake?.();
  }

  private async nextReply(): Promise<DiscoveredNode[]> {
    while (this.replies.length === 0) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    return this.replies.shift()!;
  }
}
