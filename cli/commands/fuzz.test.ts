/**
 * `devp2p-check fuzz` as users run it (the built CLI in a child process):
 * `fuzz replay` of a committed reproducer gives the same verdict and exit 1
 * against the node with the recorded fault, exit 0 against a clean node,
 * exit 2 for usage errors; `fuzz --list` names every campaign; --keep-going
 * with --json lists each distinct finding once with its repeats, and a
 * second run with the first one's reproducers as --known finds nothing new.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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

  it('says exactly what is wrong with --keep-going, --known and --target ethereumjs-dpt', async () => {
    const value = await fuzz(['--campaign', 'p2p', '--keep-going=yes']);
    expect(value.code).toBe(2);
    expect(value.stderr).toContain('--keep-going takes no value');
    const missing = await fuzz(['--campaign', 'p2p', '--known', join(dir, 'no-such-dir')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--known: ${join(dir, 'no-such-dir')} is not a directory`);
    const junkDir = join(dir, 'junk');
    await mkdir(junkDir, { recursive: true });
    await writeFile(join(junkDir, 'notes.json'), '{"hello": 1}');
    const junk = await fuzz(['--campaign', 'p2p', '--known', junkDir]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain(`--known: ${join(junkDir, 'notes.json')}: format is undefined`);
    const dpt = await fuzz(['--campaign', 'eth', '--target', 'ethereumjs-dpt']);
    expect(dpt.code).toBe(2);
    expect(dpt.stderr).toContain('--target ethereumjs-dpt is a discv4-only node');
    const dptFault = await fuzz(['--campaign', 'discv4', '--target', 'ethereumjs-dpt', '--fault', 'p2p-ignore-ping']);
    expect(dptFault.code).toBe(2);
  });

  it('--keep-going --json: each distinct finding once with its repeats, exit 1; the same run with them as --known: repeats only, exit 0', async () => {
    const corpus = join(dir, 'keep-going-corpus');
    const report = join(dir, 'keep-going.json');
    // The fault answers every disconnect-worthy p2p case with "useless peer": one finding per kind of case, and repeats.
    const args = ['--campaign', 'p2p', '--fault', 'p2p-wrong-disconnect-reason', '--seed', '3', '--shrink-time', '5s', '--quiet'];
    const first = await fuzz([...args, '--runs', '60', '--keep-going', '--corpus', corpus, '--json', report], 170_000);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    type Run = { format: string; cases: number; fuzzingMs: number; wallMs: number; findings: Array<{ signature: string; repeats: number; foundAfterCases: number }>; unconfirmed: unknown[]; repeats: number; knownRepeats: Array<{ file: string; repeats: number }> };
    const r = JSON.parse(await readFile(report, 'utf8')) as Run;
    expect(r.format).toBe('devp2p-check/fuzz-run/1');
    expect(r.cases).toBe(60);
    expect(r.findings.length).toBeGreaterThanOrEqual(2);
    expect(new Set(r.findings.map((f) => f.signature)).size).toBe(r.findings.length);
    expect(r.repeats).toBeGreaterThan(0);
    expect(r.fuzzingMs).toBeLessThan(r.wallMs);
    expect(first.stdout.match(/^FINDING /gm)?.length).toBe(r.findings.length);
    expect((await readdir(corpus)).length).toBe(r.findings.length + r.unconfirmed.length);

    // The same seed up to the first finding, with the first run's reproducers known: a repeat, no finding, exit 0.
    const upToFirst = Math.min(...r.findings.map((f) => f.foundAfterCases));
    const second = await fuzz([...args, '--runs', String(upToFirst), '--known', corpus, '--corpus', join(dir, 'second-corpus'), '--json', report], 170_000);
    const r2 = JSON.parse(await readFile(report, 'utf8')) as Run;
    expect(r2.findings, second.stdout).toEqual([]);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(r2.knownRepeats.length).toBeGreaterThanOrEqual(1);
    expect(r2.knownRepeats.every((k) => k.file.startsWith(corpus))).toBe(true);
    expect(second.stdout).toMatch(/^KNOWN \d+x disconnect-reason \| /m);
  }, 360_000);

  it('replay of a reproducer: the same verdict and exit 1 with its recorded fault, exit 0 on a clean node', async () => {
    const faulty = await fuzz(['replay', corpusFile]);
    expect(faulty.code, faulty.stdout + faulty.stderr).toBe(1);
    expect(faulty.stdout).toContain('REPRODUCED');
    // Same signature as recorded, not only the same oracle.
    expect(faulty.stdout).not.toContain('other wording');
    expect(faulty.stdout).toContain('recorded disconnect-reason');
    expect(faulty.stdout).toContain('observed Disconnect useless peer (0x03)');
    // An explicit --target drops the recorded faults: the same bytes against a clean node.
    const clean = await fuzz(['replay', corpusFile, '--target', 'reference']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toContain('not reproduced');
    expect(clean.stdout).toContain(': pass');
  }, 120_000);
});
