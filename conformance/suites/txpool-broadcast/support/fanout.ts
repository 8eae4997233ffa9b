/**
 * Broadcast fan-out checks need N peers on one target and a way to wait
 * until what they heard settles. caps/eth.md asks for full transactions (and
 * full blocks) to "a small fraction of connected peers (usually the square
 * root ...)": we accept floor or ceil of the square root of the peers that
 * lacked the item or of all peers, and nothing outside that window.
 */
import { setMaxListeners } from 'node:events';
import type { EthVersion, Status } from '../../../../reference-node/wire/eth/types.js';
import type { TargetSession } from '../../../core/context.js';
import type { EthSim } from '../../../sim/eth-sim.js';

/** Connects `n` honest peers at `version`, named `${prefix}0`..; all at once. `status` adjusts their Status (e.g. a shorter chain). */
export async function connectPeers(session: TargetSession, n: number, version: EthVersion, prefix = 'peer', status?: (honest: Status) => Status): Promise<EthSim[]> {
  // Every peer (and RPC call) listens on the test's signal; many peers are expected here, not a leak.
  setMaxListeners(4 * n + 20, session.signal);
  return Promise.all(Array.from({ length: n }, (_, i) => session.connectEth({ version, name: `${prefix}${i}`, ...(status ? { status } : {}) })));
}

/** The accepted number of peers that get the item whole, when `lacking` of `total` connected peers lacked it. */
export function directWindow(lacking: number, total: number): { min: number; max: number } {
  return { min: Math.max(1, Math.floor(Math.sqrt(lacking))), max: Math.ceil(Math.sqrt(total)) };
}

/**
 * Waits until `done()` holds (polling every 20 ms) or `timeoutMs` passes,
 * then `settleMs` more so that late or extra messages are seen too.
 */
export async function settle(signal: AbortSignal, done: () => boolean, timeoutMs: number, settleMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let ok = done();
  while (!ok && Date.now() < deadline && !signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    ok = done();
  }
  if (settleMs > 0 && !signal.aborted) await new Promise((resolve) => setTimeout(resolve, settleMs));
  return ok;
}

/**
 * Best effort: when the target answers net_peerCount, waits (up to 2 s) until
 * it counts no more than our `n` peers, so that a peer left over from an
 * earlier test does not take a share of the broadcast.
 */
export async function awaitOnlyOurPeers(session: TargetSession, n: number): Promise<void> {
  if (!session.target.capabilities.has('rpc')) return;
  const deadline = Date.now() + 2_000;
  for (;;) {
    let count: number;
    try {
      const r = await session.rpc('net_peerCount');
      if (typeof r !== 'string') return;
      count = Number(BigInt(r));
    } catch {
      return;
    }
    if (count <= n || Date.now() > deadline) {
      if (count > n) session.log(`the target still counts ${count} peers, ${n} of them ours`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
