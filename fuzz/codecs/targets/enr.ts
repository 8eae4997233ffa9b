/**
 * ENR (EIP-778): our decoder (structure, size, v4 signature) against
 * @ethereumjs/devp2p's ENR.parseAndVerifyRecord, which its DNS discovery runs
 * on every record it fetches. Mutated content is signed again half of the
 * time, so field checks are reached past the signature.
 */
import fc from 'fast-check';
import { ENR } from '@ethereumjs/devp2p';
import { decodeEnr, enrIp, enrTcp, enrUdp, encodeEnr } from '../../../reference-node/wire/enr.js';
import { keccak256, signRecoverable } from '../../../reference-node/wire/keys.js';
import { decodeRlp } from '../../../reference-node/wire/rlp.js';
import { enrContentArb, signedEnr } from '../../arbitraries/enr.js';
import { mutationPlanArb } from '../../arbitraries/mutations.js';
import { applyPlan, encodeRaw, rawFromItem, type RawNode } from '../../mutate/index.js';
import { decodeWith, type DiffCase, type DiffTarget } from '../differential.js';
import { TEST_KEYS } from './keys.js';

/** Signs the content list [seq, k, v, ...] of a mutated record again; undefined if the mutation left no list. */
function resign(recordBytes: Uint8Array): Uint8Array | undefined {
  let item;
  try {
    item = decodeRlp(recordBytes, 'enr');
  } catch {
    return undefined;
  }
  if (!Array.isArray(item) || item.length < 1) return undefined;
  const content: RawNode = { kind: 'list', items: item.slice(1).map(rawFromItem) };
  const signature = signRecoverable(keccak256(encodeRaw(content)), TEST_KEYS.a).slice(0, 64);
  return encodeRaw({ kind: 'list', items: [{ kind: 'bytes', value: signature }, ...content.items] });
}

export const enrTarget: DiffTarget = {
  name: 'enr',
  spec: 'EIP-778 (record structure, 300-byte limit, v4 identity scheme)',
  cases: () =>
    fc.tuple(enrContentArb(), mutationPlanArb({ big: false, maxRlp: 2, maxBytes: 1 }), fc.boolean()).chain(([content, plan, again]) => {
      const record = signedEnr(content, TEST_KEYS.a);
      if (!record) return fc.constant<DiffCase>({ bytes: Uint8Array.of(0xc0) });
      const mutated = applyPlan(encodeEnr(record), plan);
      return fc.constant<DiffCase>({ bytes: (again && resign(mutated)) || mutated });
    }),
  ours: (c) =>
    decodeWith(() => {
      const r = decodeEnr(c.bytes);
      return `${enrIp(r) ?? '-'}:${enrTcp(r) ?? '-'}:${enrUdp(r) ?? '-'}`;
    }),
  theirs: (c) =>
    decodeWith(() => {
      const p = ENR.parseAndVerifyRecord(`enr:${Buffer.from(c.bytes).toString('base64url')}`);
      return `${p.address ?? '-'}:${p.tcpPort ?? '-'}:${p.udpPort ?? '-'}`;
    }),
};
