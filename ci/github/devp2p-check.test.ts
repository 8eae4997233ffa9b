/**
 * The workflow users copy is valid YAML (parsed by PyYAML, an independent
 * parser) and has the steps it promises: build the client image, install
 * devp2p-check, run conform against docker:<image> with JUnit and HTML
 * reports on a shard of a matrix, fail the job on MUST failures (nothing
 * swallows the exit code), and upload the reports even when it failed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const file = resolve(import.meta.dirname, 'devp2p-check.yml');
const pyyaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  'continue-on-error'?: unknown;
}

function parse(): Record<string, unknown> {
  const json = execFileSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=str))', file], { encoding: 'utf8' });
  return JSON.parse(json) as Record<string, unknown>;
}

describe.skipIf(!pyyaml)(`ci/github/devp2p-check.yml${pyyaml ? '' : ' (skipped: python3 with PyYAML is not installed; .ci/run installs python3-yaml)'}`, () => {
  it('parses as YAML into a workflow with triggers and one job', () => {
    const wf = parse();
    expect(wf['name']).toBe('devp2p-check');
    // YAML 1.1 reads the key `on` as true; GitHub reads it as `on`.
    const on = (wf['on'] ?? wf['True'] ?? wf['true']) as Record<string, unknown>;
    expect(Object.keys(on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(Object.keys(wf['jobs'] as object)).toEqual(['conformance']);
  });

  it('runs conform on docker:<image> per shard, with JUnit and HTML, fails on MUST failures and uploads the reports', () => {
    const job = (parse()['jobs'] as Record<string, { 'runs-on': string; strategy: { matrix: { shard: string[] } }; steps: Step[] }>)['conformance']!;
    expect(job['runs-on']).toMatch(/ubuntu/);
    const shards = job.strategy.matrix.shard;
    expect(shards.length).toBeGreaterThan(1);
    shards.forEach((s, i) => expect(s).toBe(`${i + 1}/${shards.length}`));

    const steps = job.steps;
    const index = (pred: (s: Step) => boolean) => steps.findIndex(pred);
    const checkout = index((s) => s.uses?.startsWith('actions/checkout@') ?? false);
    const build = index((s) => /docker build\b/.test(s.run ?? ''));
    const node = index((s) => s.uses?.startsWith('actions/setup-node@') ?? false);
    const install = index((s) => /npm install\b.*devp2p-check/.test(s.run ?? ''));
    const conform = index((s) => /devp2p-check conform\b/.test(s.run ?? ''));
    const upload = index((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false);
    for (const [what, i] of Object.entries({ checkout, build, node, install, conform, upload })) expect(i, what).toBeGreaterThanOrEqual(0);
    expect(checkout).toBeLessThan(build);
    expect(build).toBeLessThan(conform);
    expect(node).toBeLessThan(install);
    expect(install).toBeLessThan(conform);
    expect(conform).toBeLessThan(upload);

    const run = steps[conform]!.run!;
    expect(run).toMatch(/--target "?docker:/);
    expect(run).toMatch(/--shard "?\$\{\{ matrix\.shard \}\}/);
    const junit = /--junit (\S+)/.exec(run)?.[1];
    const html = /--html (\S+)/.exec(run)?.[1];
    expect(junit).toBeDefined();
    expect(html).toBeDefined();
    // A MUST failure exits 1 and must fail the job: nothing may swallow it.
    expect(steps[conform]!['continue-on-error']).toBeUndefined();
    expect(run).not.toMatch(/\|\|\s*true|;\s*true\s*$|set \+e/);

    const uploadStep = steps[upload]!;
    expect(uploadStep.if).toBe('always()');
    const paths = String(uploadStep.with?.['path'] ?? '').split('\n').map((p) => p.trim());
    expect(paths).toEqual(expect.arrayContaining([junit, html]));
  });
});
