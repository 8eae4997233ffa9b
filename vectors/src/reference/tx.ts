/**
 * ethereum/tests TransactionTests/ttWrongRLP: no case is valid under any
 * fork, so each must fail to decode, or (two cases that are well-formed RLP
 * with bad signature values) fail sender recovery on chain 1.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTransaction, recoverSender } from '../../../reference-node/wire/tx/index.js';
import type { FamilyReport } from '../verify.js';
import { bytes, readJson, rejection, runChecks, type Check } from './checks.js';

type TxTests = Record<string, { txbytes: string; result: Record<string, { exception?: string; hash?: string }> }>;

export function checkTxReference(dir: string): FamilyReport[] {
  const folder = join(dir, 'transaction-tests', 'ttWrongRLP');
  const files = readdirSync(folder).filter((f) => f.endsWith('.json')).sort();
  const checks: [string, Check][] = [];
  for (const file of files) {
    for (const [name, t] of Object.entries(readJson<TxTests>(join(folder, file)))) {
      checks.push([
        name,
        () => {
          if (Object.values(t.result).some((r) => r.exception === undefined)) return ['the file lists a fork where this tx is valid; this checker only knows rejections'];
          const raw = bytes(t.txbytes);
          const rejected = rejection(() => recoverSender(decodeTransaction(raw), { chainId: 1n }));
          return rejected ? [] : ['decoded and recovered a sender, expected a rejection'];
        },
      ]);
    }
  }
  return [runChecks('tx', folder, checks)];
}
