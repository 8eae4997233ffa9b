/**
 * `devp2p-check fuzz --target docker:IMAGE`, as users run it: a short p2p
 * campaign against the reference node's image (host network, loopback) finds
 * nothing, and the memory oracle samples the container through docker stats
 * (its cgroup's figure), not through /proc. Skipped, with the reason in the
 * name, where no Docker daemon answers.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerOrReason, ensureImages, REFERENCE_IMAGE } from '../../conformance/targets/docker/docker-support.js';
import { runBuiltCli } from '../../test-support/run-cli.js';

const daemon = await dockerOrReason();
const skip = 'reason' in daemon ? ` (${daemon.reason})` : '';

describe.skipIf('reason' in daemon)(`devp2p-check fuzz against a docker: target${skip}`, () => {
  let dir: string;
  beforeAll(async () => {
    await ensureImages('reference-node');
    dir = await mkdtemp(join(tmpdir(), 'fuzz-docker-'));
  }, 900_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a p2p campaign runs, finds nothing, and samples the container memory', async () => {
    const report = join(dir, 'report.json');
    const r = await runBuiltCli(['fuzz', '--target', `docker:${REFERENCE_IMAGE}`, '--campaign', 'p2p', '--time', '20s', '--seed', '5', '--corpus', join(dir, 'corpus'), '--json', report], 300_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/against docker:/);
    const json = JSON.parse(await readFile(report, 'utf8')) as { cases: number; findings: unknown[]; memory: { available: boolean; source: string; baseline?: number; peak?: number } };
    expect(json.findings).toEqual([]);
    expect(json.cases).toBeGreaterThan(10);
    expect(json.memory.available).toBe(true);
    expect(json.memory.source, 'docker stats, not the RSS of a process').toBe('container');
    expect(r.stdout).toMatch(/container memory \(docker stats\) baseline \d+ MiB/);
    // A node process in a container: tens to hundreds of MiB, not zero, not the machine's memory.
    expect(json.memory.baseline).toBeGreaterThan(16 * 1024 * 1024);
    expect(json.memory.peak).toBeLessThan(4 * 1024 * 1024 * 1024);
  }, 600_000);
});
