/**
 * The handshake campaign's expectation text names only what the auth format
 * has: EIP-8's version, extra elements and padding for an EIP-8 auth, none of
 * them for a legacy (pre-EIP-8) auth, whose plaintext is fixed at 194 bytes
 * and where those case fields are not used. An auth over our 2 KiB limit
 * may be acked or refused: the limit is not the spec's.
 */
import { describe, expect, it } from 'vitest';
import { keccak256, publicKeyOf } from '../../reference-node/wire/keys.js';
import { PASS, type Verdict } from '../engine/types.js';
import { HandshakeCampaign, modelAccepts, plaintextOf, startsWithPacket, type HandshakeCase } from './handshake.js';

const base: HandshakeCase = { pool: 0, ecies: 0, format: 'eip8', version: 4, extra: [], padding: 100, plan: { rlp: [], bytes: [] }, sealedPlan: [], trailing: new Uint8Array(0), stallAfter: 0, pieces: 1 };

/** The verdict when a valid auth got nothing back (the init key is not used before an ack arrives). */
function unanswered(c: HandshakeCase): Verdict {
  return new HandshakeCampaign()['judge'](c, undefined as never, { ok: true }, { bytes: new Uint8Array(0), closed: true, ms: 0 });
}

describe('handshake campaign: the expected text for an unanswered valid auth', () => {
  it('EIP-8: says version, extra elements and padding are fine', () => {
    const v = unanswered(base);
    expect(v).toMatchObject({ ok: false, oracle: 'reply' });
    expect(!v.ok && v.expected).toMatch(/EIP-8: version 4, 0 extra elements, 100 bytes of padding are fine/);
  });

  it('legacy: no EIP-8 padding or version, and says a legacy auth must still be accepted', () => {
    const v = unanswered({ ...base, format: 'legacy' });
    expect(v).toMatchObject({ ok: false, oracle: 'reply' });
    const text = !v.ok ? v.expected : '';
    expect(text).not.toMatch(/padding|extra elements|version 4/);
    expect(text).toMatch(/legacy/);
    expect(text).toMatch(/EIP-8/);
  });
});

describe('handshake campaign: the description of a legacy case', () => {
  it('names neither version, padding nor RLP operators, which a legacy auth does not use', () => {
    const c: HandshakeCase = { ...base, format: 'legacy', version: 5, padding: 250, plan: { rlp: [{ op: 'drop', node: 2 }], bytes: [] } };
    expect(new HandshakeCampaign().describe(c)).toBe('legacy auth, plaintext unmutated');
    expect(new HandshakeCampaign().describe({ ...c, format: 'eip8' })).toMatch(/^eip8 auth v5, padding 250, plaintext node 2: drop/);
  });
});

describe('handshake campaign: an auth over our 2 KiB limit may be acked or refused', () => {
  // rlpx.md and EIP-8 set no size limit below 65535; 2048 is ours and geth's.
  const campaign = new HandshakeCampaign();
  const target = publicKeyOf(keccak256(Uint8Array.of(7)));
  const init = campaign['keys'](target).initiators[0]!;
  const big: HandshakeCase = { ...base, extra: [new Uint8Array(2100)] };

  it('the model says either for an over-limit auth, and ok for the same auth without the extra element', () => {
    expect(modelAccepts(big, plaintextOf(big, init), init, target)).toMatchObject({ ok: 'either', why: expect.stringMatching(/exceeds 2048.*implementation-defined/) });
    expect(modelAccepts(base, plaintextOf(base, init), init, target)).toEqual({ ok: true });
  });

  it('judging either: a close passes, silence is a hang, half an ack is a reply failure', () => {
    const judge = (o: { bytes: Uint8Array; closed: boolean }) => campaign['judge'](big, init, { ok: 'either', why: 'x' }, { ...o, ms: 0 });
    expect(judge({ bytes: new Uint8Array(0), closed: true })).toEqual(PASS);
    expect(judge({ bytes: new Uint8Array(0), closed: false })).toMatchObject({ ok: false, oracle: 'hang' });
    expect(judge({ bytes: Uint8Array.of(0x01, 0x90, 0x04), closed: true })).toMatchObject({ ok: false, oracle: 'reply', observed: expect.stringMatching(/not a whole ack/) });
  });
});

describe('handshake campaign: is the sealed auth on the wire unchanged?', () => {
  const honest = Uint8Array.of(0x02, 0x14, 0xaa, 0xbb, 0xd2);
  it('bytes after the whole packet are the first frame: unchanged', () => {
    expect(startsWithPacket(honest, honest)).toBe(true);
    expect(startsWithPacket(Uint8Array.of(...honest, 0x00), honest)).toBe(true);
  });

  it('a truncation the trailing bytes undo is unchanged (found by a soak: cut to n-1, then d2 00 appended, acked)', () => {
    expect(startsWithPacket(Uint8Array.of(...honest.subarray(0, 4), 0xd2, 0x00), honest)).toBe(true);
  });

  it('a cut, a changed byte, or other trailing bytes after a cut: changed', () => {
    expect(startsWithPacket(honest.subarray(0, 4), honest)).toBe(false);
    expect(startsWithPacket(Uint8Array.of(0x02, 0x14, 0xab, 0xbb, 0xd2), honest)).toBe(false);
    expect(startsWithPacket(Uint8Array.of(...honest.subarray(0, 4), 0xd3, 0x00), honest)).toBe(false);
  });
});
