/**
 * The target's resident memory, for the memory oracle. Any local target
 * (a process we started or one reached by enode URL on loopback) is found the
 * same way: the process that owns the socket listening on its TCP port
 * (/proc/net/tcp{,6} gives the socket inode, /proc/PID/fd links to it), or
 * for a discv4-only target (TCP port 0) the one bound to its UDP port.
 * Returns undefined where that cannot be read (not Linux, another user's
 * process): the memory oracle is then skipped, and says so. A target that
 * reports its own memory (a docker: container, through docker stats) is
 * sampled that way instead.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Every listening TCP socket of this machine (/proc/net/tcp{,6}, state 0A): its port and socket inode. */
export function listeningSockets(): Array<{ port: number; inode: string }> {
  return procSockets('tcp', '0A');
}

/** Every bound UDP socket of this machine (/proc/net/udp{,6}, state 07): its port and socket inode. */
export function boundUdpSockets(): Array<{ port: number; inode: string }> {
  return procSockets('udp', '07');
}

function procSockets(protocol: 'tcp' | 'udp', state: string): Array<{ port: number; inode: string }> {
  const out: Array<{ port: number; inode: string }> = [];
  for (const file of [`/proc/net/${protocol}`, `/proc/net/${protocol}6`]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== state) continue;
      out.push({ port: parseInt(cols[1]!.split(':')[1] ?? '', 16), inode: cols[9]! });
    }
  }
  return out;
}

function listeningInode(port: number): string | undefined {
  return listeningSockets().find((s) => s.port === port)?.inode;
}

/** The pid that listens on TCP `port`, if this process may see it. */
export function pidListeningOn(port: number): number | undefined {
  return pidOwning(listeningInode(port));
}

/** The pid bound to UDP `port`, if this process may see it. */
export function pidBoundToUdp(port: number): number | undefined {
  return pidOwning(boundUdpSockets().find((s) => s.port === port)?.inode);
}

/** The target's process: by its TCP listener, or by its UDP socket when it has no TCP port. */
export function pidOfTarget(target: { port: number; udpPort: number }): number | undefined {
  return target.port !== 0 ? pidListeningOn(target.port) : pidBoundToUdp(target.udpPort);
}

function pidOwning(inode: string | undefined): number | undefined {
  if (!inode || inode === '0') return undefined;
  const needle = `socket:[${inode}]`;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === needle) return Number(pid);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined;
}

/** VmRSS of `pid` in bytes, or undefined if unreadable. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Tracks RSS against a bound per 10k cases. The first sample after warm-up
 * is the baseline; a finding needs the growth to exceed
 * `boundBytes * max(1, cases / 10_000)`, so short runs are judged by the
 * same per-10k rate as long ones without tripping on start-up growth.
 */
export type MemorySource = 'container' | 'rss';

export class MemoryWatch {
  private readonly read: (() => Promise<number | undefined>) | undefined;
  readonly source: MemorySource;
  private baseline: { rss: number; cases: number } | undefined;
  peak = 0;

  constructor(
    target: { port: number; udpPort: number; memoryUsage?(): Promise<number | undefined> },
    readonly boundBytes: number,
  ) {
    this.source = target.memoryUsage ? 'container' : 'rss';
    if (target.memoryUsage) {
      // A container: docker's figure for it, which needs no access to its processes.
      this.read = () => target.memoryUsage!();
    } else {
      const pid = pidOfTarget(target);
      this.read = pid === undefined ? undefined : async () => rssOf(pid);
    }
  }

  get available(): boolean {
    return this.read !== undefined;
  }

  /** Call with the case count; resolves to a description when the bound is exceeded. */
  async sample(cases: number): Promise<{ rss: number; growth: number; allowed: number } | undefined> {
    const rss = await this.read?.();
    if (rss === undefined) return undefined;
    this.peak = Math.max(this.peak, rss);
    if (!this.baseline) {
      this.baseline = { rss, cases };
      return undefined;
    }
    const growth = rss - this.baseline.rss;
    const allowed = this.boundBytes * Math.max(1, (cases - this.baseline.cases) / 10_000);
    return growth > allowed ? { rss, growth, allowed } : undefined;
  }

  get baselineRss(): number | undefined {
    return this.baseline?.rss;
  }
}
