/**
 * ENR records (enr.json: the enr.md/EIP-778 example, geth's, and structural
 * negatives): a valid record decodes from its text and its RLP, re-encodes to
 * both, has the listed node id, and re-signing its content with the listed key
 * (RFC 6979) gives the same bytes; a rejected one is refused as text and as
 * RLP. An implementation-defined case is decided and noted.
 */
import { join } from 'node:path';
import { decodeEnr, decodeEnrText, encodeEnr, enrNodeId, formatEnrText, signEnr } from '../../../reference-node/wire/enr.js';
import type { FamilyReport } from '../verify.js';
import { bytes, hexOf, Problems, readJson, rejection, runChecks, type Check } from './checks.js';

interface RecordJson {
  name: string;
  expect: string;
  text: string;
  rlp?: string;
  privateKey?: string;
  nodeId?: string;
}

export function checkEnrReference(dir: string): FamilyReport[] {
  const source = join(dir, 'enr.json');
  const { records } = readJson<{ records: RecordJson[] }>(source);
  const notes: string[] = [];
  const checks = records.map((r): [string, Check] => [
    r.name,
    () => {
      const p = new Problems();
      if (r.expect.startsWith('valid')) {
        const raw = bytes(r.rlp ?? '');
        const record = decodeEnr(raw);
        p.same('text decodes to the record', hexOf(encodeEnr(decodeEnrText(r.text))), hexOf(raw));
        p.same('re-encoding', hexOf(encodeEnr(record)), hexOf(raw));
        p.same('text form', formatEnrText(record), r.text);
        if (r.nodeId !== undefined) p.same('node id', hexOf(enrNodeId(record)), r.nodeId);
        if (r.privateKey !== undefined) p.same('re-signed (RFC 6979)', hexOf(encodeEnr(signEnr(record, bytes(r.privateKey)))), hexOf(raw));
      } else if (r.expect.startsWith('reject')) {
        if (!rejection(() => decodeEnrText(r.text))) p.add('text accepted, expected a rejection');
        if (r.rlp !== undefined && !rejection(() => decodeEnr(bytes(r.rlp!)))) p.add('RLP accepted, expected a rejection');
      } else {
        const refused = rejection(() => decodeEnrText(r.text));
        notes.push(`${r.name} is implementation-defined; ours ${refused ? `rejects it (${refused.code}: ${refused.detail})` : 'accepts it'}`);
      }
      return p.list;
    },
  ]);
  const report = runChecks('enr', source, checks, notes);
  return [report];
}
