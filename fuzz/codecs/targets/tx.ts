/**
 * Typed and legacy transactions (EIP-2718 envelopes, EIP-2930/1559/4844/7702
 * bodies): our decoder against @ethereumjs/tx, comparing the transaction
 * hash. Chain id is fixed to mainnet's so ethereumjs, which is bound to one
 * chain, can accept honest cases.
 */
import fc from 'fast-check';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTxFromRLP } from '@ethereumjs/tx';
import { bytesToHex, concatBytes } from '../../../reference-node/wire/bytes.js';
import { decodeTransaction, encodeCanonicalTransaction, transactionHash } from '../../../reference-node/wire/tx/index.js';
import { txArb } from '../../../reference-node/wire/tx/arbitrary.js';
import { mutationPlanArb } from '../../arbitraries/mutations.js';
import { applyPlan } from '../../mutate/index.js';
import { decodeWith, type DiffCase, type DiffTarget } from '../differential.js';

const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });

export const txTarget: DiffTarget = {
  name: 'tx',
  spec: 'EIP-2718 envelopes; EIP-155, 2930, 1559, 4844, 7702 field lists',
  cases: () =>
    fc.tuple(txArb(fc, { chainId: fc.constant(1n) }), mutationPlanArb({ big: false, maxRlp: 2, maxBytes: 1 })).map(([tx, plan]): DiffCase => {
      const honest = encodeCanonicalTransaction(tx);
      // RLP operators act on the list; a typed envelope keeps its type byte in front.
      if (tx.type === 0) return { bytes: applyPlan(honest, plan), note: 'type 0' };
      return { bytes: concatBytes(honest.subarray(0, 1), applyPlan(honest.subarray(1), plan)), note: `type ${tx.type}` };
    }),
  ours: (c) => decodeWith(() => bytesToHex(transactionHash(decodeTransaction(c.bytes)))),
  theirs: (c) => decodeWith(() => bytesToHex(createTxFromRLP(c.bytes, { common }).hash())),
};
