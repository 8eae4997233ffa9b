/**
 * Issue 6's interop acceptance: the whole suite against @ethereumjs/client
 * through the cmd: target runs to completion with no harness error, and its
 * failures are exactly the ones KNOWN-DEVIATIONS.md explains.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ethereumjsCommandTemplate } from '../test-support/ethereumjs-command.js';
import type { Verdict } from './core/verdict.js';
import { compareWithKnownDeviations, readKnownDeviations } from './known-deviations.js';

const bin = resolve(import.meta.dirname, '../dist/cli/bin.js');

describe('conform against @ethereumjs/client (cmd: target, legacy Clique fixture)', () => {
  let dir: string;
  let verdicts: Verdict[];
  let code: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conform-ethjs-'));
    const args = [bin, 'conform', '--target', `cmd:${ethereumjsCommandTemplate()}`, '--profile', 'legacy', '--without', 'discv4', '--json', join(dir, 'r.json'), '--quiet'];
    try {
      await promisify(execFile)(process.execPath, args, { timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
      code = 0;
    } catch (err) {
      code = (err as { code?: number }).code ?? -1;
    }
    verdicts = (JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as { verdicts: Verdict[] }).verdicts;
  }, 900_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs to completion with no harness error', () => {
    expect([0, 1]).toContain(code);
    expect(verdicts.filter((v) => v.status === 'error').map((v) => `${v.id}: ${v.message}`)).toEqual([]);
    expect(verdicts.filter((v) => v.status === 'pass').length).toBeGreaterThan(50);
  });

  it('fails exactly the tests KNOWN-DEVIATIONS.md explains', () => {
    const mismatch = compareWithKnownDeviations(verdicts, readKnownDeviations());
    expect(mismatch.undocumented).toEqual([]);
    expect(mismatch.notFailing).toEqual([]);
  });
});
