/** RLP: our decoder, @ethereumjs/rlp, and the Yellow Paper (rlp-spec.ts) on the same bytes. */
import fc from 'fast-check';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import { decodeRlp, encodeRlp, type RlpItem } from '../../../reference-node/wire/rlp.js';
import { mutationPlanArb } from '../../arbitraries/mutations.js';
import { rlpItemArb } from '../../arbitraries/rlp.js';
import { applyPlan } from '../../mutate/index.js';
import { decodeWith, type DiffCase, type DiffTarget } from '../differential.js';
import { specDecodeRlp, type SpecItem } from '../rlp-spec.js';

export function summarizeItem(item: RlpItem | SpecItem | Uint8Array): string {
  if (Array.isArray(item)) return `[${item.map(summarizeItem).join(',')}]`;
  return bytesToHex(item as Uint8Array);
}

export const rlpTarget: DiffTarget = {
  name: 'rlp',
  spec: 'Yellow Paper appendix B (canonical RLP)',
  cases: () =>
    fc.oneof(
      fc.uint8Array({ maxLength: 80 }).map((bytes): DiffCase => ({ bytes })),
      fc.tuple(rlpItemArb(), mutationPlanArb({ big: false, maxRlp: 2, maxBytes: 1 })).map(([item, plan]): DiffCase => ({ bytes: applyPlan(encodeRlp(item), plan) })),
    ),
  ours: (c) => decodeWith(() => summarizeItem(decodeRlp(c.bytes, 'rlp'))),
  theirs: (c) => decodeWith(() => summarizeItem(RLP.decode(c.bytes) as RlpItem)),
  spec3: (c) => {
    const r = specDecodeRlp(c.bytes);
    return r.ok ? { accept: true, value: summarizeItem(r.item) } : { accept: false, reason: r.reason };
  },
};
