/**
 * `devp2p-check conform` as users run it: the built CLI in a child process,
 * against the embedded reference node (issue 6's main acceptance), plus the
 * exit codes for bad flags and an unreachable target.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli, type CliResult } from '../../test-support/run-cli.js';
import type { Verdict } from '../../conformance/core/verdict.js';


const conform = (args: string[], timeoutMs = 600_000): Promise<CliResult> => runBuiltCli(['conform', ...args], timeoutMs);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conform-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** secp256k1's generator G (the public key of private key 1): a valid node id. */
const SOME_NODE_ID = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8';

describe('conform usage errors', () => {
  it('exits 2 with the cause for a --run pattern that matches nothing, a bad target and an unknown capability', async () => {
    const noMatch = await conform(['--run', 'eth/*/no-such-test']);
    expect(noMatch.code).toBe(2);
    expect(noMatch.stderr).toContain('--run pattern "eth/*/no-such-test" matches no test');
    const badTarget = await conform(['--target', 'ftp://x']);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toContain('is not reference, enode://..., cmd:"..." or docker:IMAGE');
    const remote = await conform(['--target', `enode://${SOME_NODE_ID}@192.0.2.1:30303`]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('must be a loopback node');
    const without = await conform(['--without', 'telepathy']);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('unknown capability "telepathy"');
  });

  it('exits 3 when the target does not answer a handshake', async () => {
    // A port that accepts TCP and closes at once: no RLPx.
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await conform(['--target', `enode://${SOME_NODE_ID}@127.0.0.1:${port}`, '--profile', 'legacy']);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('target unreachable');
    } finally {
      server.close();
    }
  }, 120_000);
});

describe('conform against the reference node', () => {
  let full: { code: number; stdout: string };
  let verdicts: Verdict[];

  beforeAll(async () => {
    full = await conform(['--junit', join(dir, 'r.xml'), '--json', join(dir, 'r.json'), '--html', join(dir, 'r.html'), '--hive-results', join(dir, 'hive')]);
    verdicts = (JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as { verdicts: Verdict[] }).verdicts;
  }, 600_000);

  it('runs at least 150 tests with no failure of any level and no harness error, and exits 0', () => {
    // The clean reference node passes SHOULD tests too: this is the self-check's clean half
    // (conformance/selfcheck/selfcheck.test.ts holds the planted faults).
    const problems = verdicts.filter((v) => v.status === 'fail' || v.status === 'error');
    expect(problems.map((v) => `${v.id}: ${v.message}`)).toEqual([]);
    expect(verdicts.length).toBeGreaterThanOrEqual(150);
    expect(full.code).toBe(0);
    expect(full.stdout).toMatch(/\d+ tests in [\d.]+ s: \d+ passed/);
  });

  it('gives every test a unique stable id, a spec clause and a level', () => {
    expect(new Set(verdicts.map((v) => v.id)).size).toBe(verdicts.length);
    for (const v of verdicts) {
      expect(v.id).toMatch(/^[a-z0-9-]+(\/[a-z0-9.-]+)+$/);
      expect(v.spec).not.toBe('');
      expect(['MUST', 'SHOULD']).toContain(v.level);
    }
  });

  it('writes JUnit, HTML and hive reports that agree with the JSON verdicts', async () => {
    const xml = await readFile(join(dir, 'r.xml'), 'utf8');
    expect(xml.match(/<testcase /g)?.length).toBe(verdicts.length);
    const html = await readFile(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('By spec clause');
    expect(html).toContain(verdicts[0]!.id);
  });

  it('gives the same verdict to a test run alone as in the full run', async () => {
    // One test from each suite that ran, so selection and isolation are both exercised.
    const bySuite = new Map<string, Verdict>();
    for (const v of verdicts) if (v.status !== 'skip' && !bySuite.has(v.id.split('/')[0]!)) bySuite.set(v.id.split('/')[0]!, v);
    const picks = [...bySuite.values()];
    const alone = await conform(['--run', picks.map((v) => v.id).join(','), '--json', join(dir, 'alone.json')]);
    expect(alone.code).toBe(0);
    const again = (JSON.parse(await readFile(join(dir, 'alone.json'), 'utf8')) as { verdicts: Verdict[] }).verdicts;
    expect(again.map((v) => [v.id, v.status])).toEqual(picks.map((v) => [v.id, v.status]));
  }, 300_000);
});
