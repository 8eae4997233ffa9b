import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToBigInt } from '../wire/bytes.js';
import { compareDistance, logDist, NodesByDistance } from './distance.js';

const id = (lastByte: number, firstByte = 0) => {
  const b = new Uint8Array(32);
  b[0] = firstByte;
  b[31] = lastByte;
  return b;
};
const arbId = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('logDist', () => {
  it('is 0 for equal IDs, 1 for the lowest bit, 256 for the highest', () => {
    expect(logDist(id(5), id(5))).toBe(0);
    expect(logDist(id(0), id(1))).toBe(1);
    expect(logDist(id(0), id(0x80))).toBe(8);
    expect(logDist(id(0), id(0, 0x80))).toBe(256);
    expect(logDist(id(0), id(0, 0x01))).toBe(249);
  });

  it('is the bit length of a XOR b', () => {
    fc.assert(
      fc.property(arbId, arbId, (a, b) => {
        const x = bytesToBigInt(a) ^ bytesToBigInt(b);
        expect(logDist(a, b)).toBe(x === 0n ? 0 : x.toString(2).length);
      }),
    );
  });
});

describe('compareDistance and NodesByDistance', () => {
  it('orders as the XOR metric does', () => {
    fc.assert(
      fc.property(arbId, arbId, arbId, (t, a, b) => {
        const da = bytesToBigInt(t) ^ bytesToBigInt(a);
        const db = bytesToBigInt(t) ^ bytesToBigInt(b);
        expect(Math.sign(compareDistance(t, a, b))).toBe(da < db ? -1 : da > db ? 1 : 0);
      }),
    );
  });

  it('keeps the max closest, sorted, whatever the insertion order', () => {
    fc.assert(
      fc.property(arbId, fc.uniqueArray(arbId, { maxLength: 40, selector: (x) => x.join() }), fc.integer({ min: 1, max: 16 }), (t, ids, max) => {
        const list = new NodesByDistance<{ nodeId: Uint8Array }>(t, max);
        for (const nodeId of ids) list.push({ nodeId });
        const expected = [...ids].sort((a, b) => compareDistance(t, a, b)).slice(0, max);
        expect(list.entries.map((e) => e.nodeId)).toEqual(expected);
      }),
    );
  });
});
