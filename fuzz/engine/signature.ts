/**
 * A failure's signature: which oracle fired, and the words of what was
 * expected and observed, with the case's own numbers taken out. Two failures
 * with one signature are taken to be one bug: shrinking only accepts a
 * smaller case with the same signature (the same oracle is not enough: a
 * smaller eth case can fail `reply` for a different reason), and a run that
 * keeps going counts a failure with a signature it already has as a repeat.
 *
 * What is taken out, and why:
 * - numbers, hex and lists of them ("1100", "0x10", "5,6,7", "1..1100",
 *   "1,2,…,1100 (1100)", "127.0.0.1", "01ba04e6…"): amounts, ids, ports, timings ("within
 *   5014 ms"), keys and hashes vary from case to case for the same bug;
 * - the plural s of a word right after a number ("1 header" / "2 headers"):
 *   the number's grammar, not a different wording;
 * - parentheses inside parentheses: there the texts carry a decoder's own
 *   explanation of what the outer words already name ("a malformed Hello
 *   (p2p Hello nodeId: expected 64 bytes, got 1)"); one mishandling of
 *   malformed Hellos would otherwise be a new bug for every decoder message;
 * - a crash's log tail, except its error line: timestamps, peers and
 *   shutdown chatter differ from crash to crash, while the error ("TypeError:
 *   Cannot read properties of undefined") tells two crash bugs apart.
 * Words stay: "an empty BlockHeaders" and "1 header" are different answers,
 * so they are different bugs even for the same request.
 */
import type { Failed } from './types.js';

const NUMBER = '#';

/** Words after a number that end in s without being plurals ("block 5 has ..."). */
const NOT_PLURAL = new Set(['has', 'was', 'does', 'yes']);

/** Drops every parenthesised group nested in another one, with the space before it. */
function withoutNestedDetail(text: string): string {
  let out = '';
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    if (depth <= 1) out += ch;
    if (ch === ')' && depth > 0) depth--;
    if (ch === '(' && depth === 2) out = out.trimEnd();
  }
  return out;
}

function normalise(text: string): string {
  let t = withoutNestedDetail(text)
    // Hex first: a hash like 01ba04e6b67b1728 would otherwise be cut into numbers and letters.
    .replace(/\b0x[0-9a-f]+\b/gi, NUMBER)
    .replace(/\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{6,}\b/gi, NUMBER)
    .replace(/\b\d+(?:\.\d+)*\b/g, NUMBER)
    // A truncated value ("01ba04…") is the same value.
    .replace(/#…/g, NUMBER);
  // Lists and ranges of numbers collapse to one: their length is the case's, not the bug's.
  t = t.replace(/#(?:(?:\s*,\s*|\.\.|-)(?:#|…))+/g, NUMBER);
  // A long list is printed with its length after it: "1,2,…,1100 (1100)".
  t = t.replace(/# \(#\)/g, NUMBER);
  // "# headers" and "# header" are one wording.
  t = t.replace(/# ([A-Za-z]{2,}?)(ies|s)\b/g, (whole, stem: string, ending: string) => {
    if (NOT_PLURAL.has(`${stem}${ending}`.toLowerCase()) || stem.endsWith('s')) return whole;
    return `# ${stem}${ending === 'ies' ? 'y' : ''}`;
  });
  return t.replace(/\s+/g, ' ').trim();
}

type Texts = Pick<Failed, 'oracle' | 'expected' | 'observed'>;

/** From the first word naming an error to the end of that log line (not a log level such as "ERROR"). */
const ERROR_LINE = /\b(?:\w*(?:Error|Exception)|[Pp]anic|[Ff]atal|[Uu]ncaught)\b.*/;

/** The crash oracle's observed text ends with the target's log tail (lines joined by " | "): keep only its first error line. */
function withoutLogTail(f: Texts): string {
  if (f.oracle !== 'crash') return f.observed;
  const at = f.observed.search(/;\s*last output:/);
  if (at < 0) return f.observed;
  const tail = f.observed.slice(at).replace(/^;\s*last output:/, '');
  const cause = tail.split(' | ').map((line) => ERROR_LINE.exec(line)?.[0]).find((m) => m !== undefined);
  return `${f.observed.slice(0, at)}${cause ? `; error: ${cause.trim()}` : ''}`;
}

export function failureSignature(f: Texts): string {
  return `${f.oracle} | expected: ${normalise(f.expected)} | observed: ${normalise(withoutLogTail(f))}`;
}
