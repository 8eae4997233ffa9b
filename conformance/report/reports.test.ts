import { describe, expect, it } from 'vitest';
import type { Verdict } from '../core/verdict.js';
import { hiveSuites } from './hive.js';
import { buildHtml, clauseRows } from './html.js';
import { buildJunit } from './junit.js';
import type { RunInfo } from './run-info.js';

const info: RunInfo = {
  tool: 'devp2p-check',
  version: '9.9.9',
  startedAt: '2026-11-28T10:00:00.000Z',
  wallMs: 1234,
  seed: 'seed-x',
  targets: [{ description: 'target <A>', enode: 'enode://aa@127.0.0.1:1', announcedCaps: ['eth/68'], fixture: '/f', profile: 'legacy' }],
};

function v(id: string, status: Verdict['status'], spec: string, level: Verdict['level'] = 'MUST', extra: Partial<Verdict> = {}): Verdict {
  return { id, title: `title of ${id}`, spec, level, status, durationMs: 10, target: 'target <A>', transcript: [], ...extra };
}

const verdicts: Verdict[] = [
  v('eth/68/status/ok', 'pass', 'caps/eth.md#status-0x00'),
  v('eth/68/status/genesis', 'fail', 'caps/eth.md#status-0x00', 'MUST', {
    message: 'wrong disconnect reason',
    expected: 'Disconnect 0x10',
    actual: 'Disconnect 0x03',
    transcript: [{ atMs: 5, conn: 'peer1', dir: 'in', what: 'p2p:Disconnect', size: 2, detail: 'useless peer (0x03)' }],
  }),
  v('p2p/ping/answered', 'pass', 'rlpx.md#ping-0x02'),
  v('p2p/idle/timeout', 'skip', 'rlpx.md#ping-0x02', 'SHOULD', { message: 'the target lacks rpc' }),
  v('rlpx/auth/size', 'error', 'eips/eip-8.md', 'MUST', { message: 'harness error: boom' }),
];

describe('JUnit', () => {
  const xml = buildJunit(info, verdicts);
  it('has one testcase per verdict, grouped by suite, with the right counts', () => {
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toMatch(/<testsuites[^>]* tests="5" failures="1" errors="1" skipped="1"/);
    expect(xml).toMatch(/<testsuite name="eth" tests="2" failures="1"/);
    expect(xml).toMatch(/<testsuite name="p2p" tests="2" failures="0" errors="0" skipped="1"/);
  });
  it('carries the clause and level as properties and expected/got in the failure', () => {
    expect(xml).toContain('<property name="spec" value="caps/eth.md#status-0x00"/>');
    expect(xml).toContain('<failure message="[MUST] wrong disconnect reason" type="MUST">');
    expect(xml).toContain('expected: Disconnect 0x10');
    expect(xml).toContain('useless peer (0x03)');
  });
});

describe('HTML', () => {
  it('gives a clause the worst verdict of its tests and counts MUST and SHOULD apart', () => {
    const rows = clauseRows(verdicts);
    expect(rows.map((r) => [r.spec, r.status, r.level])).toEqual([
      ['caps/eth.md#status-0x00', 'fail', 'MUST'],
      ['eips/eip-8.md', 'fail', 'MUST'],
      ['rlpx.md#ping-0x02', 'partial', 'MUST'],
    ]);
    const html = buildHtml(info, verdicts);
    expect(html).toContain('1 MUST failure(s), 1 harness error(s)');
    expect(html).toContain('target &lt;A&gt;');
    expect(html).not.toContain('target <A>');
    expect(html).toContain('devp2p-check 9.9.9');
  });
});

describe('hive results', () => {
  it('writes one suite file per suite, without skips, pass=false for failures and errors', () => {
    const suites = hiveSuites(info, verdicts);
    expect(suites.map((s) => (s.json as { name: string }).name)).toEqual(['devp2p-check/eth', 'devp2p-check/p2p', 'devp2p-check/rlpx']);
    const cases = (s: (typeof suites)[number]) => Object.values((s.json as { testCases: Record<string, { name: string; summaryResult: { pass: boolean } }> }).testCases);
    expect(cases(suites[0]!).map((c) => [c.name, c.summaryResult.pass])).toEqual([
      ['eth/68/status/ok', true],
      ['eth/68/status/genesis', false],
    ]);
    expect(cases(suites[1]!).map((c) => c.name)).toEqual(['p2p/ping/answered']);
    expect(cases(suites[2]!)[0]!.summaryResult.pass).toBe(false);
  });
});
