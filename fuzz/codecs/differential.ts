/**
 * Differential fuzzing of our decoders against independent ones on the same
 * bytes. Each target says how to decode a case both ways; the engine runs
 * seeded fast-check cases and sorts every disagreement into a class: which
 * side rejected, and why (our DecodeError code and field; their error text
 * with numbers and hex stripped). Known classes carry the spec's answer
 * (known.ts). An unknown class is a finding: fast-check shrinks it to the
 * smallest input that shows it.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { DecodeError } from '../../reference-node/wire/errors.js';

/** What a decoder made of the input: a value summary to compare, or why it refused. */
export type Decoded = { accept: true; value: string } | { accept: false; reason: string };

export interface DiffCase {
  bytes: Uint8Array;
  /** Anything else a decoder needs (a version, a key); shown in findings. */
  note?: string;
}

export interface DiffTarget<C extends DiffCase = DiffCase> {
  name: string;
  /** Who decides (the clause that settles a disagreement). */
  spec: string;
  cases(): Arbitrary<C>;
  ours(c: C): Decoded;
  theirs(c: C): Decoded;
  /** Cases per run when --runs is not given (slow decoders get fewer). */
  defaultRuns?: number;
  /** A third opinion written from the spec alone, where one exists. */
  spec3?(c: C): Decoded;
  /** Both accepted: do the values agree? Default: compare the summaries. */
  sameValue?(ours: string, theirs: string): boolean;
}

export interface Disagreement {
  target: string;
  /** Class key: "ours rejects (length: discv4 ping expiration) / theirs accepts". */
  key: string;
  bytes: Uint8Array;
  note?: string;
  ours: Decoded;
  theirs: Decoded;
  spec?: Decoded;
}

/** Runs a decoder: a DecodeError (ours) or any Error (theirs) is a rejection, with a reason. */
export function decodeWith(fn: () => string): Decoded {
  try {
    return { accept: true, value: fn() };
  } catch (err) {
    if (err instanceof DecodeError) return { accept: false, reason: `${err.code}: ${normalizeWhat(err.what)}` };
    if (err instanceof Error) return { accept: false, reason: normalizeText(err.message) };
    return { accept: false, reason: `threw ${typeof err}` };
  }
}

/** "discv4 neighbors node 3 ip" -> "discv4 neighbors node # ip": one class for every index. */
export function normalizeWhat(what: string): string {
  return what.replace(/\b\d+\b/g, '#');
}

/** Error texts with the values stripped, so one cause is one class. */
export function normalizeText(text: string): string {
  return text
    .replace(/0x[0-9a-fA-F]+/g, '0x…')
    .replace(/\b[0-9a-fA-F]{16,}\b/g, '…')
    .replace(/\d+/g, '#')
    .slice(0, 120);
}

export function classify(ours: Decoded, theirs: Decoded): string | undefined {
  if (ours.accept && theirs.accept) return undefined;
  if (!ours.accept && !theirs.accept) return undefined;
  if (!ours.accept) return `ours rejects (${ours.reason}) / theirs accepts`;
  return `ours accepts / theirs rejects (${(theirs as { reason: string }).reason})`;
}

export interface TargetReport {
  target: string;
  spec: string;
  cases: number;
  agreeAccept: number;
  agreeReject: number;
  /** Both accepted but decoded different values. */
  valueMismatches: number;
  classes: Map<string, { count: number; example: Disagreement }>;
  /** Where the spec decoder sided (per class): 'ours' | 'theirs' | 'neither'. */
  specSide: Map<string, string>;
  ms: number;
}

export interface DiffRunOptions {
  seed: number;
  runs: number;
  /** Class keys already written down; anything else stops the run and is shrunk. */
  known: (target: string, key: string) => boolean;
}

function compare<C extends DiffCase>(target: DiffTarget<C>, c: C): { ours: Decoded; d?: Disagreement } {
  const ours = target.ours(c);
  const theirs = target.theirs(c);
  let key = classify(ours, theirs);
  if (key === undefined && ours.accept && theirs.accept) {
    const same = target.sameValue ? target.sameValue(ours.value, theirs.value) : ours.value === theirs.value;
    if (!same) key = 'both accept, values differ';
  }
  if (key === undefined) return { ours };
  const d: Disagreement = { target: target.name, key, bytes: c.bytes, ours, theirs, ...(c.note ? { note: c.note } : {}) };
  if (target.spec3) d.spec = target.spec3(c);
  return { ours, d };
}

const MAX_SHRINK_STEPS = 300;

export interface DiffRunResult {
  report: TargetReport;
  /** One shrunk input per class that is not written down. */
  findings: Disagreement[];
}

/**
 * Explores `runs` seeded cases and counts every class; then, for each class
 * not written down, runs the same seed again until that class first shows
 * and lets fast-check shrink it (a smaller input only counts if it shows the
 * same class).
 */
export function runTarget<C extends DiffCase>(target: DiffTarget<C>, options: DiffRunOptions): DiffRunResult {
  const started = Date.now();
  const report: TargetReport = { target: target.name, spec: target.spec, cases: 0, agreeAccept: 0, agreeReject: 0, valueMismatches: 0, classes: new Map(), specSide: new Map(), ms: 0 };
  fc.assert(
    fc.property(target.cases(), (c) => {
      const { ours, d } = compare(target, c);
      report.cases++;
      if (!d) {
        if (ours.accept) report.agreeAccept++;
        else report.agreeReject++;
        return true;
      }
      if (d.key === 'both accept, values differ') report.valueMismatches++;
      const cls = report.classes.get(d.key);
      if (cls) cls.count++;
      else report.classes.set(d.key, { count: 1, example: d });
      if (d.spec && !report.specSide.has(d.key)) report.specSide.set(d.key, specSide(d));
      return true;
    }),
    { seed: options.seed, numRuns: options.runs },
  );
  report.ms = Date.now() - started;
  const findings: Disagreement[] = [];
  for (const key of report.classes.keys()) {
    if (options.known(target.name, key)) continue;
    let last: Disagreement | undefined;
    let shrinkSteps = 0;
    fc.check(
      fc.property(target.cases(), (c) => {
        // Bounded shrinking: decoders that sign or inflate are slow, and a few hundred steps find the gist.
        if (last && ++shrinkSteps > MAX_SHRINK_STEPS) return true;
        const { d } = compare(target, c);
        if (d?.key !== key) return true;
        last = d;
        return false;
      }),
      { seed: options.seed, numRuns: options.runs },
    );
    findings.push(last ?? report.classes.get(key)!.example);
  }
  return { report, findings };
}

function sameDecision(a: Decoded, b: Decoded): boolean {
  return a.accept === b.accept;
}

function specSide(d: Disagreement): string {
  if (!d.spec) return 'unknown';
  if (sameDecision(d.spec, d.ours) && !sameDecision(d.spec, d.theirs)) return 'ours';
  if (sameDecision(d.spec, d.theirs) && !sameDecision(d.spec, d.ours)) return 'theirs';
  return 'neither';
}

export function describeDecoded(d: Decoded): string {
  return d.accept ? `accepts (${d.value.length > 80 ? `${d.value.slice(0, 80)}…` : d.value})` : `rejects: ${d.reason}`;
}

export function formatDisagreement(d: Disagreement): string {
  const hex = bytesToHex(d.bytes);
  return [
    `${d.target}: ${d.key}`,
    `  input (${d.bytes.length} bytes): ${hex.length > 400 ? `${hex.slice(0, 400)}…` : hex}${d.note ? ` [${d.note}]` : ''}`,
    `  ours:   ${describeDecoded(d.ours)}`,
    `  theirs: ${describeDecoded(d.theirs)}`,
    ...(d.spec ? [`  spec:   ${describeDecoded(d.spec)}`] : []),
  ].join('\n');
}
