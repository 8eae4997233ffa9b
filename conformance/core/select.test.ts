import { describe, expect, it } from 'vitest';
import { selectTests, SelectionError, shardTests } from './select.js';

const tests = ['eth/66/status/genesis', 'eth/68/status/genesis', 'eth/68/headers/forward', 'p2p/ping/answered', 'rlpx/auth/eip8'].map((id) => ({ id }));

describe('--run selection', () => {
  it('matches * within a segment, ** across segments, and a plain prefix selects the subtree', () => {
    expect(selectTests(tests, 'eth/*/status/genesis').map((t) => t.id)).toEqual(['eth/66/status/genesis', 'eth/68/status/genesis']);
    expect(selectTests(tests, 'eth/**').map((t) => t.id)).toHaveLength(3);
    expect(selectTests(tests, 'eth/68').map((t) => t.id)).toEqual(['eth/68/status/genesis', 'eth/68/headers/forward']);
    // A prefix selects whole segments only: "eth/6" is not a prefix of "eth/66/...".
    expect(() => selectTests(tests, 'eth/6')).toThrow(SelectionError);
  });

  it('keeps suite order and takes the union of comma-separated patterns', () => {
    expect(selectTests(tests, 'rlpx/**,p2p/ping/answered').map((t) => t.id)).toEqual(['p2p/ping/answered', 'rlpx/auth/eip8']);
  });

  it('refuses a pattern that selects nothing', () => {
    expect(() => selectTests(tests, 'eth/**,eht/*')).toThrow(SelectionError);
    expect(() => selectTests(tests, 'eth/**,eht/*')).toThrow(/"eht\/\*" matches no test/);
  });

  it('shards cover every test exactly once', () => {
    const parts = [1, 2, 3].map((i) => shardTests(tests, i, 3).map((t) => t.id));
    expect(parts.flat().sort()).toEqual(tests.map((t) => t.id).sort());
    expect(new Set(parts.flat()).size).toBe(tests.length);
  });
});
