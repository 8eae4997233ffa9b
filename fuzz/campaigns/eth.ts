/**
 * Campaign `eth`: valid and malformed eth messages inside an honest session
 * (Hello + Status from the fixture). A case is one to three messages, each a
 * valid message (requests about the fixture's blocks, or any message of the
 * version) with a mutation plan and sometimes another message code (type
 * confusion). eth-model.ts says what the target must do with each; sessions
 * are reused between cases while they stay open.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { EthSim } from '../../conformance/sim/eth-sim.js';
import { TestFailure } from '../../conformance/core/failure.js';
import { encodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import { ETH_MESSAGE_CODES } from '../../reference-node/wire/eth/codes.js';
import { encodeRlp } from '../../reference-node/wire/rlp.js';
import { MAX_UNCOMPRESSED_SIZE } from '../../reference-node/wire/rlpx/snappy.js';
import { ethMessageArbitrary } from '../../reference-node/wire/eth/arbitrary.js';
import type { EthMessage, EthVersion } from '../../reference-node/wire/eth/types.js';
import { maybeMutatedArb } from '../arbitraries/mutations.js';
import { applyPlan, describePlan, type MutationPlan } from '../mutate/index.js';
import type { CampaignContext } from '../engine/context.js';
import { fail, PASS, type Campaign, type CaseRun, type RunMode, type SentItem, type Verdict } from '../engine/types.js';
import { expectEth, type EthExpectation } from './eth-model.js';
import { judgeReply } from './eth-reply.js';
import { expectDisconnect, expectKept, expectTolerated, FUZZ_DIAL, REPLY_TIMEOUT_MS, sent } from './session-tools.js';

export interface EthStep {
  message: EthMessage;
  plan: MutationPlan;
  /** Send under this code instead of the message's own. */
  code?: number;
  /**
   * Send instead a valid Transactions message of this many bytes of tx data
   * (over the 10 MiB eth limit): only a message that would otherwise be
   * accepted shows whether the limit is enforced (a mutated one is dropped
   * for being malformed either way).
   */
  oversize?: number;
}

/** Over eth.md's typical 10 MiB limit, under RLPx's 16 MiB; zeros, so it compresses to almost nothing. */
const OVERSIZE_DATA = 12 * 1024 * 1024;

function oversizedTransactions(dataBytes: number): Uint8Array {
  // A legacy tx (nonce 0, gas price 1, gas 21000, to zero, value 0, data, v r s): valid RLP and shape.
  return encodeRlp([[0n, 1n, 21_000n, new Uint8Array(20), 0n, new Uint8Array(dataBytes), 27n, 1n, 1n]]);
}

export interface EthCase {
  version: EthVersion;
  steps: EthStep[];
}

/** Sessions are retired after this many cases so their transcripts stay small. */
const SESSION_CASES = 1_000;

interface Session {
  sim: EthSim;
  uses: number;
}

const requestIdArb = fc.bigInt({ min: 1n, max: (1n << 64n) - 1n });

/** Requests about blocks the fixture has (and just past it), with the edge values of amount and skip. */
export function fixtureRequestArb(ctx: CampaignContext, version: EthVersion): Arbitrary<EthMessage> {
  const { fixture } = ctx;
  const head = fixture.head.number;
  const number = fc.oneof(fc.integer({ min: 0, max: head }), fc.constantFrom(0, 1, head - 1, head, head + 1));
  const hash = number.filter((n) => n <= head).map((n) => fixture.hashes[n]!);
  const hashes = fc.array(fc.oneof({ weight: 4, arbitrary: hash }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }) }), { minLength: 0, maxLength: 8 });
  // The edge amounts make the target serve up to 1024 headers (tens of ms on both sides): they
  // are what bounded-response checks need, but one in ~20 requests is enough to keep hitting them.
  const amount = fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max: 16 }).map(BigInt) }, { weight: 1, arbitrary: fc.constantFrom(128n, 192n, 1024n, 1025n, 1n << 32n, (1n << 64n) - 1n) });
  const skip = fc.oneof(fc.constantFrom(0n, 0n, 1n, 2n, 9n), fc.constantFrom(1000n, (1n << 63n) - 1n, (1n << 64n) - 2n, (1n << 64n) - 1n));
  const getHeaders = fc.record({
    kind: fc.constant('GetBlockHeaders' as const),
    requestId: requestIdArb,
    origin: fc.oneof(number.map((n) => ({ number: BigInt(n) })), hash.map((h) => ({ hash: h })), fc.constant({ number: (1n << 64n) - 1n })),
    amount,
    skip,
    reverse: fc.boolean(),
  });
  const getBodies = fc.record({ kind: fc.constant('GetBlockBodies' as const), requestId: requestIdArb, hashes });
  const getReceipts =
    version >= 70
      ? fc.record({ kind: fc.constant('GetReceipts' as const), form: fc.constant('eth70' as const), requestId: requestIdArb, firstBlockReceiptIndex: fc.constantFrom(0n, 1n, 5n), hashes })
      : fc.record({ kind: fc.constant('GetReceipts' as const), form: fc.constant('eth66' as const), requestId: requestIdArb, hashes });
  const getPooled = fc.record({ kind: fc.constant('GetPooledTransactions' as const), requestId: requestIdArb, hashes: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 4 }) });
  const arbs: Arbitrary<EthMessage>[] = [getHeaders, getHeaders, getBodies, getReceipts, getPooled];
  if (version >= 69) {
    arbs.push(
      fc.record({ kind: fc.constant('BlockRangeUpdate' as const), earliestBlock: fc.constantFrom(0n, BigInt(head)), latestBlock: fc.constantFrom(BigInt(head), 0n, BigInt(head) + 1n), latestBlockHash: fc.constant(fixture.head.hash) }),
    );
  }
  return fc.oneof(...arbs);
}

export function ethStepArb(ctx: CampaignContext, version: EthVersion): Arbitrary<EthStep> {
  const message = fc.oneof({ weight: 3, arbitrary: fixtureRequestArb(ctx, version) }, { weight: 2, arbitrary: ethMessageArbitrary(fc, version) });
  const code = fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x11 }) });
  const oversize = fc.oneof({ weight: 60, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(OVERSIZE_DATA) });
  return fc.record({ message, plan: maybeMutatedArb({ maxRlp: 2, maxBytes: 1 }), code, oversize }).map((s) => {
    const step: EthStep = { message: s.message, plan: s.plan };
    if (s.code !== undefined) step.code = s.code;
    if (s.oversize !== undefined) step.oversize = s.oversize;
    return step;
  });
}

/** Steps the model says must be answered or accepted: valid requests about the fixture, unmutated. */
export function keepingStepArb(ctx: CampaignContext, version: EthVersion): Arbitrary<EthStep> {
  // A BlockRangeUpdate with earliest > latest must end the session: that one belongs to the other lane.
  const valid = fixtureRequestArb(ctx, version).filter((m) => m.kind !== 'BlockRangeUpdate' || m.earliestBlock <= m.latestBlock);
  return valid.map((message) => ({ message, plan: { rlp: [], bytes: [] } }));
}

/**
 * One case in KEEPING_WEIGHT + 1 may end the session (anything, mutated or
 * not); the rest keep it. A session costs the target and us a handshake
 * (about 10 ms of CPU on each side on a 2-core machine), so cases that end
 * one run at the target's handshake rate whatever the mix; the mix fills the
 * time between them with requests that exercise serving and its bounds on
 * live sessions instead of idling.
 */
export const KEEPING_WEIGHT = 30;

export function ethCaseArb(ctx: CampaignContext, version: EthVersion): Arbitrary<EthCase> {
  const steps = (step: Arbitrary<EthStep>) => fc.array(step, { minLength: 1, maxLength: 3 });
  return fc.record({
    version: fc.constant(version),
    steps: fc.oneof({ weight: KEEPING_WEIGHT, arbitrary: steps(keepingStepArb(ctx, version)) }, { weight: 1, arbitrary: steps(ethStepArb(ctx, version)) }),
  });
}


/** The code and exact payload a step puts on the wire. */
export function stepBytes(version: EthVersion, step: EthStep): { code: number; payload: Uint8Array } {
  if (step.oversize !== undefined) return { code: ETH_MESSAGE_CODES.Transactions, payload: oversizedTransactions(step.oversize) };
  const { code, payload } = encodeEthMessage(version, step.message);
  // RLPx cannot carry more than snappy's limit: a mutation that grows a payload past it is cut there.
  const mutated = applyPlan(payload, step.plan);
  return { code: step.code ?? code, payload: mutated.length > MAX_UNCOMPRESSED_SIZE ? mutated.subarray(0, MAX_UNCOMPRESSED_SIZE) : mutated };
}

export class EthCampaign implements Campaign<EthCase> {
  readonly name = 'eth' as const;
  readonly summary = 'valid and mutated eth messages of the negotiated version inside an honest session';
  /**
   * Sessions run side by side: each case waits on a round trip, so concurrency is what fills both
   * processes (24 measured best on 2 cores; the reference node takes 34 inbound peers, and the
   * spare session and the canary need two of them).
   */
  readonly defaultJobs = 24;
  /** Open sessions not running a case now: each concurrent job (--jobs) checks one out, so cases never share a session. */
  private idle: Session[] = [];
  private spare: Promise<EthSim> | undefined;

  cases(ctx: CampaignContext): Arbitrary<EthCase> {
    return ethCaseArb(ctx, ctx.ethVersion);
  }

  describe(c: EthCase): string {
    return c.steps.map((s) => s.oversize !== undefined ? `Transactions of ${s.oversize + 40} bytes (over 10 MiB)` : `${s.message.kind}${s.code !== undefined ? ` as code 0x${s.code.toString(16)}` : ''} (${describePlan(s.plan)})`).join(', then ');
  }

  async reset(): Promise<void> {
    for (const s of this.idle) s.sim.close();
    this.idle = [];
    const spare = this.spare;
    this.spare = undefined;
    if (spare) void spare.then((s) => s.close(), () => undefined);
  }

  /** Connects in the background, so the next session is ready when a case ends the current one. */
  private dialSpare(ctx: CampaignContext, version: EthVersion): void {
    // One spare at a time: with --jobs, a second dial would leak a connection (and fill the target's peer slots).
    if (this.spare) return;
    const p = EthSim.connect(ctx.pooledSimEnv(), ctx.fixture, { ...FUZZ_DIAL, version });
    p.catch(() => undefined);
    this.spare = p;
  }

  private async open(ctx: CampaignContext, version: EthVersion, mode: RunMode): Promise<Session> {
    if (mode === 'isolate') {
      await this.reset();
      return { sim: await EthSim.connect(ctx.pooledSimEnv(), ctx.fixture, { ...FUZZ_DIAL, version }), uses: 1 };
    }
    for (let s = this.idle.pop(); s; s = this.idle.pop()) {
      if (!s.sim.peer.ended && s.uses < SESSION_CASES) {
        s.uses++;
        return s;
      }
      s.sim.close();
    }
    let sim: EthSim | undefined;
    if (this.spare) {
      const spare = this.spare;
      this.spare = undefined;
      sim = await spare.catch(() => undefined);
      if (sim?.peer.ended) sim = undefined;
    }
    sim ??= await EthSim.connect(ctx.pooledSimEnv(), ctx.fixture, { ...FUZZ_DIAL, version });
    this.dialSpare(ctx, version);
    return { sim, uses: 1 };
  }

  async run(ctx: CampaignContext, c: EthCase, mode: RunMode): Promise<CaseRun> {
    const sentItems: SentItem[] = [];
    let session: Session;
    try {
      session = await this.open(ctx, c.version, mode);
    } catch (err) {
      const why = err instanceof TestFailure ? `${err.message}: ${err.actual}` : (err as Error).message;
      return { verdict: fail('canary', 'an honest peer gets a session (Hello and Status)', why), sent: sentItems, suspicious: true };
    }
    const { sim } = session;
    const model = { version: c.version, fixture: ctx.fixture, postMerge: ctx.postMerge };
    const wire = c.steps.map((step) => {
      const { code, payload } = stepBytes(c.version, step);
      return { step, code, payload, expect: expectEth(model, code, payload) };
    });
    try {
      // Steps the session must survive go out back to back and are judged after. A step that may end
      // the session goes alone, once those before it are judged: otherwise the Ping that judges a
      // 'keep' step would follow it, and its disconnect would be blamed on the earlier step.
      const ends = (w: (typeof wire)[number]) => w.expect.kind === 'disconnect' || w.expect.kind === 'tolerate';
      for (let next = 0; next < wire.length && !sim.peer.ended; ) {
        const batch = [wire[next]!];
        while (!ends(batch[0]!) && next + batch.length < wire.length && !ends(wire[next + batch.length]!)) batch.push(wire[next + batch.length]!);
        next += batch.length;
        for (const { step, code, payload } of batch) {
          sentItems.push(sent(`eth/${c.version} code 0x${code.toString(16)} (${step.oversize !== undefined ? 'oversized Transactions' : `${step.message.kind}${step.code !== undefined ? ', other code' : ''}; ${describePlan(step.plan)}`})`, payload));
          sim.sendRaw(code, payload);
        }
        for (const { expect } of batch) {
          const verdict = await judgeStep(ctx, sim, expect);
          if (!verdict.ok) return { verdict, sent: sentItems, suspicious: verdict.oracle === 'hang' || verdict.oracle === 'reply' };
        }
      }
      return { verdict: PASS, sent: sentItems };
    } finally {
      if (mode === 'isolate' || sim.peer.ended) sim.close();
      else this.idle.push(session);
    }
  }
}

/** One step's verdict, once its expectation is known (the step has been sent). */
function judgeStep(ctx: CampaignContext, sim: EthSim, e: EthExpectation): Promise<Verdict> {
  switch (e.kind) {
    case 'disconnect':
      return expectDisconnect(sim.peer, e.reasons, e.why);
    case 'tolerate':
      return expectTolerated(sim.peer, e.reasons, e.why);
    case 'keep':
      return expectKept(sim.peer, e.why);
    case 'reply':
      return judgeReply(sim, ctx.fixture, e, REPLY_TIMEOUT_MS);
  }
}
