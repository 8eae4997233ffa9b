/** The per-peer known-hash set: membership, the bound, and which entry goes first. */
import { describe, expect, it } from 'vitest';
import { KnownCache, MAX_KNOWN_BLOCKS } from './known-cache.js';

const h = (n: number) => {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(28, n);
  return out;
};

describe('KnownCache', () => {
  it('knows what was marked, by value, not by object identity', () => {
    const c = new KnownCache(4);
    c.add(h(1), h(2));
    expect(c.has(h(1))).toBe(true);
    expect(c.has(h(2))).toBe(true);
    expect(c.has(h(3))).toBe(false);
    expect(c.size).toBe(2);
  });

  it('never holds more than its bound; the least recently marked goes first', () => {
    const c = new KnownCache(3);
    c.add(h(1), h(2), h(3));
    c.add(h(1)); // marked again: now the newest
    c.add(h(4)); // evicts 2, the oldest mark
    expect([1, 2, 3, 4].map((n) => c.has(h(n)))).toEqual([true, false, true, true]);
    expect(c.size).toBe(3);
  });

  it("geth's block bound: 1024, so the 1025th block pushes out the first", () => {
    expect(MAX_KNOWN_BLOCKS).toBe(1024);
    const c = new KnownCache(MAX_KNOWN_BLOCKS);
    for (let i = 0; i < 1025; i++) c.add(h(i));
    expect(c.size).toBe(1024);
    expect(c.has(h(0))).toBe(false);
    expect(c.has(h(1))).toBe(true);
    expect(c.has(h(1024))).toBe(true);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new KnownCache(0)).toThrow(RangeError);
    expect(() => new KnownCache(1.5)).toThrow(RangeError);
  });
});
