/**
 * A reproducer: everything needed to send a finding's case again and judge it
 * the same way. Written as JSON into the corpus (one file per finding, named
 * by campaign and a hash of the case), read back by `fuzz replay`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromJson, ReproducerFormatError, toJson, type Json } from '../json.js';
import { CAMPAIGN_NAMES, type CampaignName, type OracleName, type SentItem } from './types.js';

export const REPRODUCER_FORMAT = 'devp2p-check/fuzz-reproducer/1';

export interface Reproducer {
  format: typeof REPRODUCER_FORMAT;
  campaign: CampaignName;
  /** The run's seed and the case's index in it (its fast-check path locates the shrunk case). */
  seed: number;
  caseIndex: number;
  path?: string;
  /** How the target was reached; replay reuses it unless told otherwise. */
  target: { spec: string; faults: string[]; description: string; profile: 'legacy' | 'modern' };
  /** The shrunk case, in the campaign's JSON form. */
  case: Json;
  description: string;
  /** What went on the wire, in order: exact bytes (messages before RLPx framing). */
  sent: SentItem[];
  oracle: OracleName;
  expected: string;
  observed: string;
  shrinkSteps: number;
  /**
   * The shrunk case failed again with the same signature, alone, on a healthy
   * target. False: an unconfirmed finding (a suspect: a timing oracle can fire
   * once on a loaded machine). Absent in older reproducers and for memory findings.
   */
  replayed?: boolean;
  foundAfterCases: number;
  foundAfterMs: number;
  createdAt: string;
  /** For the committed corpus: 'finding' (must still reproduce) or 'fixed' (must pass now). */
  expect?: 'finding' | 'fixed';
}

export function caseJson(value: unknown): Json {
  return toJson(value);
}

export function caseFromJson(json: Json): unknown {
  return fromJson(json);
}

export function reproducerFileName(r: Reproducer): string {
  const hash = createHash('sha256').update(JSON.stringify(r.case)).digest('hex').slice(0, 12);
  // Unconfirmed findings stand out in a listing and never overwrite a confirmed one of the same case.
  return `${r.replayed === false ? 'unconfirmed-' : ''}${r.campaign}-${r.oracle}-${hash}.json`;
}

export async function writeReproducer(dir: string, r: Reproducer): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, reproducerFileName(r));
  await writeFile(file, `${JSON.stringify(r, null, 1)}\n`);
  return file;
}

export async function readReproducer(file: string): Promise<Reproducer> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ReproducerFormatError(`${file}: not JSON (${(err as Error).message})`);
  }
  const r = parsed as Partial<Reproducer>;
  if (r.format !== REPRODUCER_FORMAT) throw new ReproducerFormatError(`${file}: format is ${JSON.stringify(r.format)}, expected ${REPRODUCER_FORMAT}`);
  if (!r.campaign || !(CAMPAIGN_NAMES as readonly string[]).includes(r.campaign)) throw new ReproducerFormatError(`${file}: unknown campaign ${JSON.stringify(r.campaign)}`);
  if (r.case === undefined || !r.target || !Array.isArray(r.sent)) throw new ReproducerFormatError(`${file}: case, target and sent are required`);
  return r as Reproducer;
}
