/**
 * `devp2p-check fuzz` as users run it (the built CLI in a child process):
 * `fuzz replay` of a committed reproducer gives the same verdict and exit 1
 * against the node with the recorded fault, exit 0 against a clean node,
 * exit 2 for usage errors; `fuzz --list` names every campaign.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli, type CliResult } from '../../test-support/run-cli.js';

const corpusFile = resolve(import.meta.dirname, '../../fuzz/corpus/p2p-wrong-disconnect-reason--p2p-disconnect-reason-a8a42507c63f.json');

const fuzz = (args: string[], timeoutMs = 120_000): Promise<CliResult> => runBuiltCli(['fuzz', ...args], timeoutMs);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fuzz-cli-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('devp2p-check fuzz', () => {
  it('--list names the six campaigns', async () => {
    const r = await fuzz(['--list']);
    expect(r.code).toBe(0);
    for (const name of ['handshake', 'frame', 'p2p', 'eth', 'discv4', 'session']) expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'));
  });

  it('exits 2 on usage errors', async () => {
    const noCampaign = await fuzz([]);
    expect(noCampaign.code).toBe(2);
    expect(noCampaign.stderr).toContain('--campaign is required');
    const bad = await fuzz(['--campaign', 'telepathy']);
    expect(bad.code).toBe(2);
    const both = await fuzz(['--campaign', 'p2p', '--runs', '5', '--time', '5s']);
    expect(both.code).toBe(2);
    const missing = await fuzz(['replay', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    const notReproducer = join(dir, 'not-a-reproducer.json');
    await writeFile(notReproducer, JSON.stringify({ format: 'something else' }));
    const wrongFormat = await fuzz(['replay', notReproducer]);
    expect(wrongFormat.code).toBe(2);
    expect(wrongFormat.stderr).toContain('devp2p-check/fuzz-reproducer/1');
  });

  it('replay of a reproducer: the same verdict and exit 1 with its recorded fault, exit 0 on a clean node', async () => {
    const faulty = await fuzz(['replay', corpusFile]);
    expect(faulty.code, faulty.stdout + faulty.stderr).toBe(1);
    expect(faulty.stdout).toContain('REPRODUCED');
    expect(faulty.stdout).toContain('recorded disconnect-reason');
    expect(faulty.stdout).toContain('observed Disconnect useless peer (0x03)');
    // An explicit --target drops the recorded faults: the same bytes against a clean node.
    const clean = await fuzz(['replay', corpusFile, '--target', 'reference']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toContain('not reproduced');
    expect(clean.stdout).toContain(': pass');
  }, 120_000);
});
