/**
 * The canary: a fresh honest peer must still get through the RLPx handshake,
 * Hello and Status, and get a correct answer to a GetBlockHeaders for three
 * fixture headers. After a case (or a batch) this tells a target that
 * survived from one that is alive but no longer serves (stuck event loop,
 * exhausted peer slots, a poisoned shared state).
 */
import { EthSim } from '../../conformance/sim/eth-sim.js';
import { describeWaited } from '../../conformance/sim/sim-peer.js';
import { TestFailure } from '../../conformance/core/failure.js';
import { bytesToHex, equalBytes } from '../../reference-node/wire/bytes.js';
import { headerHash } from '../../reference-node/wire/block.js';
import type { CampaignContext } from './context.js';
import { fail, PASS, type Verdict } from './types.js';

export const CANARY_TIMEOUT_MS = 5_000;

let rotation = 0;

export async function canary(ctx: CampaignContext, timeoutMs = CANARY_TIMEOUT_MS): Promise<Verdict> {
  const { fixture } = ctx;
  const span = Math.max(1, fixture.head.number - 3);
  const start = 1 + (rotation++ % span);
  const expected = [start, start + 1, start + 2].filter((n) => n <= fixture.head.number);
  let sim: EthSim | undefined;
  try {
    sim = await connectRetryingRefused(ctx, timeoutMs);
    const reply = await sim.request({ kind: 'GetBlockHeaders', requestId: sim.requestId(), origin: { number: BigInt(start) }, amount: BigInt(expected.length), skip: 0n, reverse: false }, 'BlockHeaders', timeoutMs);
    if (!reply.ok) return fail('canary', `BlockHeaders ${start}..${expected.at(-1)} for a fresh honest peer`, describeWaited(reply));
    const got = reply.value.headers.map(headerHash);
    const want = expected.map((n) => fixture.hashes[n]!);
    if (got.length !== want.length || got.some((h, i) => !equalBytes(h, want[i]!))) {
      return fail('canary', `headers ${expected.join(',')} of the fixture`, `${got.length} headers: ${got.map((h) => bytesToHex(h).slice(0, 8)).join(',')}`);
    }
    return PASS;
  } catch (err) {
    if (err instanceof TestFailure) return fail('canary', `a fresh honest peer gets through Hello and Status (${err.expected})`, err.actual);
    return fail('canary', 'a fresh honest peer can connect', (err as Error).message);
  } finally {
    sim?.close();
  }
}

/** A refused TCP connect is tried once more after this long. */
export const REFUSED_RETRY_MS = 1_000;

/**
 * One refused connect is not yet a target that stopped serving: a client may
 * re-open its listener now and then (@ethereumjs/client was seen refusing
 * for under a second about once a minute, which cost a 30 s restart each
 * time). A second refusal, or any other failure, is the canary's verdict.
 */
async function connectRetryingRefused(ctx: CampaignContext, timeoutMs: number): Promise<EthSim> {
  const connect = () => EthSim.connect(ctx.simEnv(), ctx.fixture, { version: ctx.ethVersion, timeoutMs, name: 'canary' });
  try {
    return await connect();
  } catch (err) {
    if (!/ECONNREFUSED/.test((err as Error).message) || ctx.stopSignal.aborted) throw err;
    await new Promise((resolve) => setTimeout(resolve, REFUSED_RETRY_MS));
    return connect();
  }
}
