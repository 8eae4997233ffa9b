/**
 * FrameMac against @ethereumjs/devp2p's MAC class (an independent
 * implementation of the same construction on @noble/hashes keccak).
 */
import fc from 'fast-check';
import { MAC as EjsMac } from '@ethereumjs/devp2p';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { createKeccakMac, FrameMac } from './mac.js';

const hex = bytesToHex;

describe('FrameMac', () => {
  it('property: header and frame MACs equal ethereumjs MAC for any sequence', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 20 }).map((b) => b.length)), {
          minLength: 1,
          maxLength: 5,
        }),
        (secret, seed, frames) => {
          const ours = new FrameMac(secret, createKeccakMac(seed));
          const theirs = new EjsMac(secret);
          theirs.update(seed);
          for (const [headerCt, blocks] of frames) {
            theirs.updateHeader(headerCt);
            expect(hex(ours.header(headerCt))).toBe(hex(theirs.digest()));
            const body = new Uint8Array(16 * blocks).map((_, i) => (i * 13 + blocks) & 0xff);
            theirs.updateBody(body);
            expect(hex(ours.frame(body))).toBe(hex(theirs.digest()));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('checkHeader/checkFrame accept the right MAC and reject any other', () => {
    const secret = new Uint8Array(32).fill(7);
    const seed = new Uint8Array(40).fill(9);
    const sender = new FrameMac(secret, createKeccakMac(seed));
    const good = new FrameMac(secret, createKeccakMac(seed));
    const bad = new FrameMac(secret, createKeccakMac(seed));
    const header = new Uint8Array(16).fill(3);
    const mac = sender.header(header);
    expect(good.checkHeader(header, mac)).toBe(true);
    const wrong = mac.slice();
    wrong[15]! ^= 0x80;
    expect(bad.checkHeader(header, wrong)).toBe(false);
    expect(bad.checkHeader(header, mac.subarray(0, 15))).toBe(false);
    const body = new Uint8Array(32).fill(5);
    expect(good.checkFrame(body, sender.frame(body))).toBe(true);
  });
});
