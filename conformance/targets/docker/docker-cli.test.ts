/**
 * `devp2p-check conform` with docker: targets, as a user runs it: a hive-style
 * client folder written here (Dockerfile, start script, enode.sh, hive's
 * fixed ports) built through --hive-clients and checked, with hive-format
 * results; and SIGINT / SIGTERM in the middle of a start and of a run leave
 * no container behind. Skipped, with the reason in the names, where no
 * Docker daemon answers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedFixture } from '../../../test-support/fixture-cache.js';
import type { Verdict } from '../../core/verdict.js';
import { CLI, containersOf, dockerOrReason, ensureImages, REFERENCE_IMAGE } from './docker-support.js';

const daemon = await dockerOrReason();
const docker = 'docker' in daemon ? daemon.docker : undefined;
const skip = 'reason' in daemon ? ` (${daemon.reason})` : '';
const work = mkdtempSync(join(tmpdir(), 'docker-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  pid: number;
}

/** Starts the CLI; `onOutput` sees the output so far and may act on the process (send a signal). */
function conform(args: string[], onSpawn?: (pid: number, output: () => string) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'conform', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    onSpawn?.(child.pid!, () => output);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code, signal) => resolve({ code, signal, output, pid: child.pid! }));
  });
}

/** hive's libhive TestSuite / TestCase / TestResult JSON (internal/libhive/data.go), field by field. */
function checkHiveSuite(json: unknown): string[] {
  const problems: string[] = [];
  const suite = json as Record<string, unknown>;
  if (!Number.isInteger(suite['id']) || (suite['id'] as number) < 0) problems.push('id is not a uint32');
  for (const key of ['name', 'description', 'simLog']) if (typeof suite[key] !== 'string') problems.push(`${key} is not a string`);
  const versions = suite['clientVersions'];
  if (typeof versions !== 'object' || versions === null || Object.values(versions).some((v) => typeof v !== 'string')) problems.push('clientVersions is not a map of strings');
  const cases = suite['testCases'];
  if (typeof cases !== 'object' || cases === null) return [...problems, 'testCases is not a map'];
  for (const [id, value] of Object.entries(cases)) {
    const c = value as Record<string, unknown>;
    if (!/^\d+$/.test(id)) problems.push(`test case key ${id} is not a TestID number`);
    for (const key of ['name', 'description']) if (typeof c[key] !== 'string') problems.push(`${id}.${key} is not a string`);
    for (const key of ['start', 'end']) if (typeof c[key] !== 'string' || Number.isNaN(Date.parse(c[key] as string))) problems.push(`${id}.${key} is not an RFC 3339 time`);
    const result = c['summaryResult'] as Record<string, unknown> | undefined;
    if (typeof result?.['pass'] !== 'boolean') problems.push(`${id}.summaryResult.pass is not a boolean`);
    if (result?.['details'] !== undefined && typeof result['details'] !== 'string') problems.push(`${id}.summaryResult.details is not a string`);
    if (typeof c['clientInfo'] !== 'object' || c['clientInfo'] === null) problems.push(`${id}.clientInfo is not a map`);
  }
  return problems;
}

describe.skipIf(!docker)(`conform --target docker:${skip}`, () => {
  let chain: string;

  beforeAll(async () => {
    await ensureImages('reference-node');
    chain = (await cachedFixture({ profile: 'legacy', blocks: 40, seed: 'docker-cli', txsPerBlock: 1 })).dir;
  }, 900_000);

  it('builds and checks a hive-style client folder through --hive-clients, and writes hive-format results', async () => {
    // A client definition as hive keeps one: clients/<name>/ with a Dockerfile, a start
    // script reading hive's files and variables, and /hive-bin/enode.sh. It listens on
    // hive's fixed ports (no devp2p-check.ports label), on loopback.
    const clients = join(work, 'clients');
    const folder = join(clients, 'refclient');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'Dockerfile'),
      ['ARG BASE', 'FROM ${BASE}', '# The base is our reference node image: drop the labels a hive client would not have.', 'LABEL devp2p-check.ports="" devp2p-check.chain-cache=""', 'ADD refclient.sh /refclient.sh', 'ADD enode.sh /hive-bin/enode.sh', 'RUN chmod +x /refclient.sh /hive-bin/enode.sh && echo "refclient test" > /version.txt', 'ENTRYPOINT ["/refclient.sh"]', ''].join('\n'),
    );
    writeFileSync(
      join(folder, 'refclient.sh'),
      [
        '#!/bin/bash',
        'set -e',
        'import=()',
        '[ -f /chain.rlp ] && import=(--import /chain.rlp)',
        'exec node /app/dist/cli/bin.js node --datadir /tmp/db --host 127.0.0.1 --port 30303 --http.port 8545 --genesis /genesis.json --networkid "$HIVE_NETWORK_ID" --nodial "${import[@]}"',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(folder, 'enode.sh'),
      ['#!/bin/sh', `exec node -e 'fetch("http://127.0.0.1:8545",{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({jsonrpc:"2.0",id:1,method:"admin_nodeInfo",params:[]})}).then(r=>r.json()).then(j=>console.log(j.result.enode))'`, ''].join('\n'),
    );
    const results = join(work, 'hive-results');
    const json = join(work, 'hive-folder.json');
    const run = await conform(['--target', 'docker:refclient', '--hive-clients', clients, '--docker-build-arg', `BASE=${REFERENCE_IMAGE}`, '--chain', chain, '--run', 'eth/68/status/*,p2p/hello/first,sync/legacy/completes-from-peer', '--hive-results', results, '--json', json, '--quiet']);
    expect(run.output).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const verdicts = (JSON.parse(readFileSync(json, 'utf8')) as { verdicts: Verdict[] }).verdicts;
    expect(verdicts.filter((v) => v.id.startsWith('eth/68/status/')).every((v) => v.status === 'pass')).toBe(true);
    // Fixed ports allow one instance at a time: no private instances, so the sync test is skipped and says why.
    expect(verdicts.find((v) => v.id === 'sync/legacy/completes-from-peer')).toMatchObject({ status: 'skip', message: expect.stringMatching(/fresh-target/) });
    expect(await docker!.listImages({ filters: { reference: ['devp2p-check/hive-refclient:local'] } })).toHaveLength(1);

    const files = readdirSync(results).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const names = new Set<string>();
    for (const f of files) {
      const suite = JSON.parse(readFileSync(join(results, f), 'utf8')) as { testCases: Record<string, { name: string; summaryResult: { pass: boolean } }> };
      expect(checkHiveSuite(suite)).toEqual([]);
      for (const c of Object.values(suite.testCases)) {
        names.add(c.name);
        expect(c.summaryResult.pass).toBe(verdicts.find((v) => v.id === c.name)?.status === 'pass');
      }
    }
    // Every test that ran is there; the skipped one is not (hive has no skip state).
    expect([...names].sort()).toEqual(verdicts.filter((v) => v.status !== 'skip').map((v) => v.id).sort());
    expect(await containersOf(docker!, run.pid)).toEqual([]);
  }, 600_000);

  /** Runs conform and sends `signal` once `trigger` holds (polled every 200 ms from the spawn on). */
  async function interrupted(args: string[], signal: NodeJS.Signals, trigger: (output: string, pid: number) => Promise<boolean>): Promise<Run & { sent: boolean; outputAtSignal: string }> {
    let sent = false;
    let busy = false;
    let outputAtSignal = '';
    let timer: NodeJS.Timeout | undefined;
    const run = await conform(args, (pid, output) => {
      timer = setInterval(() => {
        if (sent || busy) return;
        busy = true;
        const seen = output();
        void trigger(seen, pid)
          .then((yes) => {
            if (yes && !sent) {
              sent = true;
              outputAtSignal = seen;
              process.kill(pid, signal);
            }
          })
          .catch(() => undefined)
          .finally(() => (busy = false));
      }, 200);
    });
    clearInterval(timer);
    return { ...run, sent, outputAtSignal };
  }

  it('SIGINT in the middle of a run leaves no container', async () => {
    const run = await interrupted(['--target', `docker:${REFERENCE_IMAGE}`, '--chain', chain, '--run', 'eth/68/*/*,sync/legacy/*', '--jobs', '2'], 'SIGINT', async (output, pid) => {
      // Verdicts are being printed, and at least one container (the shared one, maybe a private sync one) is up.
      return /\[\s*\d+\/\d+\] (PASS|FAIL|SKIP)/.test(output) && (await containersOf(docker!, pid)).length > 0;
    });
    expect(run.sent, run.output).toBe(true);
    expect(run.code).toBe(130);
    expect(await containersOf(docker!, run.pid)).toEqual([]);
  }, 300_000);

  it('SIGTERM while the target is still starting leaves no container', async () => {
    const run = await interrupted(['--target', `docker:${REFERENCE_IMAGE}`, '--chain', chain, '--run', 'eth/68/*/*'], 'SIGTERM', async (output, pid) => !/target: /.test(output) && (await containersOf(docker!, pid)).length > 0);
    expect(run.sent, run.output).toBe(true);
    // The signal came before the target was ready: conform never printed its target line.
    expect(run.outputAtSignal).not.toMatch(/target: /);
    expect(run.output).not.toMatch(/target: /);
    expect(run.code).toBe(130);
    expect(await containersOf(docker!, run.pid)).toEqual([]);
  }, 300_000);
});
