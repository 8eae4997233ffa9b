/**
 * The official vectors in ../shared/vectors-reference, checked against our
 * codecs under the same report format as our own families: one report per
 * family and reference file. A missing or unreadable file is a failure, as
 * for our own folder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileFailure } from './reference/checks.js';
import { checkDiscv4Reference } from './reference/discv4.js';
import { checkEnrReference } from './reference/enr.js';
import { checkEthReference } from './reference/eth.js';
import { checkForkIdReference } from './reference/forkid.js';
import { checkP2pReference } from './reference/p2p.js';
import { checkRlpReference } from './reference/rlp.js';
import { checkRlpxReference } from './reference/rlpx.js';
import { checkTxReference } from './reference/tx.js';
import type { FamilyReport } from './verify.js';

interface ReferenceChecker {
  family: string;
  /** The file or folder it reads, relative to the reference folder. */
  path: string;
  check(dir: string): FamilyReport[];
}

export const REFERENCE_CHECKERS: readonly ReferenceChecker[] = [
  { family: 'rlp', path: 'rlp', check: checkRlpReference },
  { family: 'tx', path: 'transaction-tests/ttWrongRLP', check: checkTxReference },
  { family: 'rlpx-handshake', path: 'rlpx-eip8-handshake.json', check: checkRlpxReference },
  { family: 'discv4', path: 'discv4-eip8-packets.json', check: checkDiscv4Reference },
  { family: 'enr', path: 'enr.json', check: checkEnrReference },
  { family: 'p2p', path: 'p2p-hello-eip8.json', check: checkP2pReference },
  { family: 'eth', path: 'eth66-messages-eip2481.json', check: checkEthReference },
  { family: 'forkid', path: 'forkid-eip2124.json', check: checkForkIdReference },
];

export function verifyReferenceDir(dir: string): FamilyReport[] {
  return REFERENCE_CHECKERS.flatMap((c) => {
    const source = join(dir, c.path);
    if (!existsSync(source)) return [{ family: c.family, source, passed: 0, failures: [{ name: '(file)', problems: ['missing'] }] }];
    try {
      return c.check(dir);
    } catch (err) {
      return [fileFailure(c.family, source, err)];
    }
  });
}
