/**
 * judgeHello on hand-made Hellos: which faults it finds and which reasons
 * they allow (the rules are in hello-model.ts; the campaign-level checks
 * against scripted targets are in p2p-model.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../mutate/index.js';
import { utf8 } from '../../reference-node/wire/bytes.js';
import { generatePrivateKey, publicKeyOf } from '../../reference-node/wire/keys.js';
import { encodeHello, type Hello } from '../../reference-node/wire/p2p.js';
import { decodeRlp, encodeRlp } from '../../reference-node/wire/rlp.js';
import { snappyCompress } from '../../reference-node/wire/rlpx/snappy.js';
import { allowedReasons, judgeHello } from './hello-model.js';

const own = publicKeyOf(generatePrivateKey());
const other = publicKeyOf(generatePrivateKey());
const remote: Hello = { protocolVersion: 5, clientId: 'target', capabilities: [{ name: 'eth', version: 68 }], listenPort: 0, nodeId: other, extra: [] };
const fields = { protocolVersion: 5, clientId: 'fuzz', listenPort: 0, extra: [] };

/** A Hello written field by field, so a test can put anything in any place. */
function rawHello(caps: unknown[], nodeId: Uint8Array = own, port: unknown = 0): Uint8Array {
  return encodeRlp([5, 'fuzz', caps, port, nodeId] as Parameters<typeof encodeRlp>[0]);
}
const reasons = (bytes: Uint8Array) => allowedReasons(judgeHello(bytes, own, remote).faults);

describe('judgeHello', () => {
  it('a valid Hello: no fault, decoded', () => {
    const j = judgeHello(encodeHello({ ...fields, capabilities: [{ name: 'eth', version: 68 }], nodeId: own }), own, remote);
    expect(j.faults).toEqual([]);
    expect(j.hello?.capabilities).toEqual([{ name: 'eth', version: 68 }]);
  });

  it('the campaign\'s duplicate mutation on node 5 gives the tuple ["eth", "eth", 68]', () => {
    const bytes = applyPlan(encodeHello({ ...fields, capabilities: [{ name: 'eth', version: 68 }], nodeId: own }), { rlp: [{ op: 'duplicate', node: 5, times: 1 }], bytes: [] });
    const caps = (decodeRlp(bytes, 'test') as unknown[])[2];
    expect(caps).toEqual([[utf8('eth'), utf8('eth'), Uint8Array.of(68)]]);
    expect(reasons(bytes)).toEqual([0x02, 0x10, 0x03]);
  });

  it('malformed capability tuples (three elements, a list as version, bytes as tuple): 0x02, 0x10 or 0x03, Hello undecoded', () => {
    for (const tuple of [['eth', 68, 1], ['eth', [68]], 'eth']) {
      const bytes = rawHello([tuple]);
      expect(judgeHello(bytes, own, remote).hello, JSON.stringify(tuple)).toBeUndefined();
      expect(reasons(bytes), JSON.stringify(tuple)).toEqual([0x02, 0x10, 0x03]);
    }
  });

  it('malformed outside the tuples: 0x02 or 0x10 only (caps not a list, bad RLP, compressed, over 2048 bytes)', () => {
    const valid = encodeHello({ ...fields, capabilities: [{ name: 'eth', version: 68 }], nodeId: own });
    expect(reasons(rawHello('eth' as unknown as unknown[]))).toEqual([0x02, 0x10]);
    expect(reasons(valid.subarray(0, valid.length - 1))).toEqual([0x02, 0x10]);
    expect(reasons(snappyCompress(valid))).toEqual([0x02, 0x10]);
    expect(reasons(encodeHello({ ...fields, clientId: 'x'.repeat(2100), capabilities: [{ name: 'eth', version: 68 }], nodeId: own }))).toEqual([0x02, 0x10]);
    expect(reasons(rawHello([['eth', 68]], own.subarray(0, 63)))).toEqual([0x02, 0x10]);
  });

  it('the well-formed parts of a malformed Hello are still judged: a bad listenPort with another node id or no shared capability', () => {
    const badPort = Uint8Array.of(0x00, 0x01); // an integer with a leading zero
    expect(reasons(rawHello([['eth', 68]], other, badPort))).toEqual([0x02, 0x10, 0x09]);
    expect(reasons(rawHello([['eth', 70]], own, badPort))).toEqual([0x02, 0x10, 0x03]);
    expect(reasons(rawHello([['eth', 68]], own, badPort))).toEqual([0x02, 0x10]);
  });

  it('decoded Hellos: one reason set per fault, the union for several', () => {
    const hello = (capabilities: Hello['capabilities'], nodeId: Uint8Array) => encodeHello({ ...fields, capabilities, nodeId });
    expect(reasons(hello([{ name: 'eth', version: 68 }], other))).toEqual([0x09]);
    expect(reasons(hello([{ name: 'eth', version: 68 }], new Uint8Array(64)))).toEqual([0x07, 0x09]);
    expect(reasons(hello([{ name: 'eth', version: 70 }], own))).toEqual([0x03]);
    expect(reasons(hello([{ name: 'eth', version: 70 }], other))).toEqual([0x09, 0x03]);
    expect(reasons(hello([{ name: 'eth', version: 70 }], new Uint8Array(64)))).toEqual([0x07, 0x09, 0x03]);
    // A capability both name that we keep no message count for is still shared for the target: no fault.
    const zzTarget = { ...remote, capabilities: [{ name: 'zz', version: 1 }] };
    expect(judgeHello(hello([{ name: 'zz', version: 1 }], own), own, zzTarget).faults).toEqual([]);
  });
});
