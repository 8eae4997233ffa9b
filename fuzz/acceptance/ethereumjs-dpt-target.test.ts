/**
 * The `ethereumjs-dpt` target: an @ethereumjs/devp2p DPT child process bound
 * to 127.0.0.1 only (its one socket, UDP; no TCP listener), answering the
 * engine's discv4 canary; the discv4 campaign runs 20 s of fuzzing time
 * against it with --keep-going and produces verdicts without harness errors
 * (findings are allowed: the DPT has known discv4 gaps, FINDINGS.md). And the
 * loopback guard its socket gets drops every send that is not to loopback.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Fixture } from '../../conformance/fixture/fixture.js';
import { createCampaign } from '../campaigns/index.js';
import { CampaignContext } from '../engine/context.js';
import { listeningSockets, pidBoundToUdp } from '../engine/rss.js';
import { runFuzz } from '../engine/runner.js';
import { pingCanary } from '../engine/udp-canary.js';
import { EthereumjsDptTargetProvider } from './ethereumjs-dpt-target.js';
import { loopbackOnly } from './loopback-only.mjs';

/** The discv4 campaign and the DPT target read only the profile of the chain. */
const fixture = { profile: 'legacy' } as Fixture;

/** Local addresses (hex ip:port of /proc/net/udp{,6}) of the UDP sockets owned by `pid`. */
function udpAddressesOf(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
    if (m) inodes.add(m[1]!);
  }
  const out: string[] = [];
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length >= 10 && inodes.has(cols[9]!)) out.push(cols[1]!);
    }
  }
  return out;
}

describe('ethereumjs-dpt target', () => {
  it('a DPT child on 127.0.0.1 only, answering the discv4 canary; the discv4 campaign runs 20 s against it', async () => {
    const provider = new EthereumjsDptTargetProvider();
    const target = await provider.start(fixture);
    let pid: number | undefined;
    try {
      expect(target.port).toBe(0);
      expect(target.alive()).toBe(true);
      pid = pidBoundToUdp(target.udpPort);
      expect(pid).toBeDefined();
      // One UDP socket, on 127.0.0.1 (0100007F in /proc's little-endian hex), and no TCP listener.
      expect(udpAddressesOf(pid!)).toEqual([`0100007F:${target.udpPort.toString(16).toUpperCase().padStart(4, '0')}`]);
      const tcpInodes = new Set(listeningSockets().map((s) => s.inode));
      const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));
      expect(fds.filter((l) => tcpInodes.has(/^socket:\[(\d+)\]$/.exec(l)?.[1] ?? ''))).toEqual([]);
      const ctx = new CampaignContext(target, fixture, new AbortController().signal);
      expect(await pingCanary(ctx)).toEqual({ ok: true });
    } finally {
      await target.stop();
    }
    expect(target.alive()).toBe(false);

    const logs: string[] = [];
    const result = await runFuzz({
      campaign: createCampaign('discv4'),
      provider,
      fixture,
      targetInfo: { spec: 'ethereumjs-dpt', faults: [], profile: 'legacy' },
      seed: 7,
      fuzzTimeMs: 20_000,
      keepGoing: true,
      shrinkTimeMs: 5_000,
      maxShrinkSteps: 20,
      onLog: (l) => logs.push(l),
    });
    expect(result.harnessErrors, logs.join('\n')).toBe(0);
    expect(result.cases).toBeGreaterThan(50);
    expect(result.fuzzingMs).toBeGreaterThanOrEqual(20_000);
    expect(result.memory.available).toBe(true);
    for (const f of result.findings) {
      expect(f.reproducer.campaign).toBe('discv4');
      expect(f.signature.startsWith(`${f.reproducer.oracle} | `)).toBe(true);
    }
    // The DPT stayed up and kept answering: no crash or canary findings.
    expect(result.findings.filter((f) => f.reproducer.oracle === 'crash' || f.reproducer.oracle === 'canary'), logs.join('\n')).toEqual([]);
  }, 150_000);

  it('the loopback guard drops sends to any other address and counts them', () => {
    const sent: unknown[][] = [];
    const socket = { send: (...args: unknown[]) => void sent.push(args) };
    const drops: string[] = [];
    const dropped = loopbackOnly(socket, (address, port) => drops.push(`${address}:${port}`));
    const msg = new Uint8Array(3);
    socket.send(msg, 0, 3, 30303, '127.0.0.1');
    socket.send(msg, 30303, '127.0.0.5');
    // Any address but loopback must be dropped; reserved .invalid names stand for them, so no
    // other address appears in the source (a guard bug would still send nothing: the socket is fake).
    socket.send(msg, 0, 3, 30303, 'peer-a.invalid');
    socket.send(msg, 30304, 'peer-b.invalid', () => undefined);
    socket.send(msg, 0, 3, 30303, '::ffff:7f00:1');
    expect(sent.map((a) => a[a.length - 1])).toEqual(['127.0.0.1', '127.0.0.5']);
    expect(drops).toEqual(['peer-a.invalid:30303', 'peer-b.invalid:30304', '::ffff:7f00:1:30303']);
    expect(dropped()).toBe(3);
  });
});
