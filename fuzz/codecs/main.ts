/**
 * `npm run fuzz:codecs [-- --runs N] [--seed S] [--target NAME]`: in-process
 * differential fuzzing of our decoders against @ethereumjs (rlp, devp2p, tx)
 * and snappyjs. Prints, per target, how often both sides agreed and every
 * class of disagreement with an example and the spec's answer. Exit 1 if a
 * class is not written down in known.ts (the shrunk input is printed).
 */
import { DIFF_TARGETS } from './targets/index.js';
import { describeDecoded, formatDisagreement, runTarget } from './differential.js';
import { isKnown, knownAnswer } from './known.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function main(argv: string[]): number {
  const runsFlag = argValue(argv, 'runs');
  const runs = Number(runsFlag ?? 1000);
  const seed = Number(argValue(argv, 'seed') ?? 7);
  const only = argValue(argv, 'target');
  const targets = DIFF_TARGETS.filter((t) => only === undefined || t.name === only);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || targets.length === 0) {
    console.error(`usage: fuzz:codecs [--runs N] [--seed S] [--target ${DIFF_TARGETS.map((t) => t.name).join('|')}]`);
    return 2;
  }
  let unknown = 0;
  for (const target of targets) {
    const { report, findings } = runTarget(target, { seed, runs: runsFlag === undefined ? (target.defaultRuns ?? runs) : runs, known: isKnown });
    const rate = Math.round((report.cases / Math.max(1, report.ms)) * 1000);
    console.log(`\n== ${target.name}: ${report.cases} cases in ${report.ms} ms (${rate}/s), spec: ${target.spec}`);
    console.log(`   agree: ${report.agreeAccept} both accept, ${report.agreeReject} both reject; disagree: ${report.cases - report.agreeAccept - report.agreeReject}`);
    for (const [key, { count, example }] of [...report.classes].sort((a, b) => b[1].count - a[1].count)) {
      const answer = knownAnswer(target.name, key);
      const side = report.specSide.get(key);
      console.log(`   ${String(count).padStart(6)}  ${key}`);
      console.log(`           ${answer ? `spec: ${answer}` : 'NOT WRITTEN DOWN'}${side ? ` (spec decoder sides with ${side})` : ''}`);
      const hex = bytesToHex(example.bytes);
      console.log(`           e.g. ${hex.length > 160 ? `${hex.slice(0, 160)}…` : hex}${example.note ? ` [${example.note}]` : ''}; ours ${describeDecoded(example.ours)}; theirs ${describeDecoded(example.theirs)}`);
    }
    for (const finding of findings) {
      unknown++;
      console.log(`\n   not written down, shrunk:\n${formatDisagreement(finding).replace(/^/gm, '   ')}`);
    }
  }
  if (unknown > 0) {
    console.log(`\n${unknown} class(es) of disagreement are not written down in fuzz/codecs/known.ts`);
    return 1;
  }
  console.log('\nevery disagreement is written down (fuzz/codecs/known.ts)');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
