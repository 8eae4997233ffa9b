/**
 * RPC readiness of a launched client: its JSON-RPC answers eth_blockNumber
 * and its head has reached the fixture's (or stopped moving, so its import
 * is over). A handshake alone is not enough: clients open their RLPx port
 * while still importing the chain, and tests that start then see an RPC
 * that refuses connections or a head that is still moving.
 */
import { rpcCall } from './rpc-client.js';

/** How long a head that no longer moves counts as "the import is over". */
export const HEAD_SETTLE_MS = 20_000;

export interface RpcReadyOptions {
  /** Throws (with the caller's own error type) when the client is gone. */
  checkAlive: () => void;
  /** Builds the error for a deadline that passed. */
  timeoutError: (message: string) => Error;
}

export async function waitForRpcHead(rpcUrl: string, expectedHead: number, deadline: number, options: RpcReadyOptions): Promise<void> {
  let head = -1;
  let movedAt = Date.now();
  let last = '';
  while (Date.now() < deadline) {
    options.checkAlive();
    try {
      const n = Number(BigInt((await rpcCall(rpcUrl, 'eth_blockNumber', [], { timeoutMs: 3_000 })) as string));
      if (n >= expectedHead) return;
      if (n !== head) {
        head = n;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > HEAD_SETTLE_MS) {
        return;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw options.timeoutError(`RPC at ${rpcUrl} ${head < 0 ? `never answered eth_blockNumber (${last})` : `was still importing at block ${head} of ${expectedHead}`} before the start deadline`);
}
