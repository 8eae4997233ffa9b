/**
 * The memory oracle's sampling: growth is judged per 10k cases against the
 * first sample; a target that reports its own memory (a docker container,
 * through docker stats) is read that way instead of through /proc; a target
 * whose process cannot be found leaves the oracle unavailable.
 */
import { describe, expect, it } from 'vitest';
import { MemoryWatch } from './rss.js';

const MiB = 1024 * 1024;

/** A target that reports the given figures in turn, as a docker: target does. */
function reporting(figures: Array<number | undefined>): { port: number; udpPort: number; memoryUsage(): Promise<number | undefined>; calls: number } {
  const t = {
    port: 1,
    udpPort: 1,
    calls: 0,
    memoryUsage: async () => figures[t.calls++],
  };
  return t;
}

describe('MemoryWatch', () => {
  it('reads a target that reports its memory, and judges growth per 10k cases from the first sample', async () => {
    const target = reporting([100 * MiB, 120 * MiB, 150 * MiB, 190 * MiB]);
    const watch = new MemoryWatch(target, 32 * MiB);
    expect(watch.available).toBe(true);
    expect(watch.source).toBe('container');
    expect(await watch.sample(1_000)).toBeUndefined(); // the baseline
    expect(await watch.sample(6_000)).toBeUndefined(); // +20 MiB within the first 10k: allowed 32
    expect(await watch.sample(11_000)).toMatchObject({ growth: 50 * MiB, allowed: 32 * MiB }); // +50 over 10k cases
    // +90 MiB over 30k cases: 3 x 32 MiB allowed.
    expect(await watch.sample(31_000)).toBeUndefined();
    expect(target.calls).toBe(4);
    expect(watch.baselineRss).toBe(100 * MiB);
    expect(watch.peak).toBe(190 * MiB);
  });

  it('a sample the target cannot give is skipped, not a finding', async () => {
    const watch = new MemoryWatch(reporting([undefined, 100 * MiB]), 32 * MiB);
    expect(await watch.sample(0)).toBeUndefined();
    expect(watch.baselineRss).toBeUndefined();
    expect(await watch.sample(10)).toBeUndefined();
    expect(watch.baselineRss).toBe(100 * MiB);
  });

  it('a target without a memory report whose process is not visible: unavailable', async () => {
    // Port 0 for TCP means "find it by UDP"; nothing of ours is bound to UDP port 1.
    const watch = new MemoryWatch({ port: 0, udpPort: 1 }, 32 * MiB);
    expect(watch.available).toBe(false);
    expect(watch.source).toBe('rss');
    expect(await watch.sample(100)).toBeUndefined();
  });
});
