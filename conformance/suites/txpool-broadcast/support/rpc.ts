/**
 * JSON-RPC calls these suites make to read the target's state (nonces, head,
 * blocks). A target that declares JSON-RPC but does not answer gets a
 * failure that says so, not a harness error: the call was its to answer.
 */
import type { TargetSession } from '../../../core/context.js';
import { fail } from '../../../core/failure.js';
import { RpcError } from '../../../targets/rpc-client.js';

export async function rpcOrFail(session: TargetSession, method: string, params: unknown[] = []): Promise<unknown> {
  try {
    return await session.rpc(method, params);
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    fail(`the target's JSON-RPC failed on ${method}: ${err.message}`, `an answer to ${method}`, err.message);
  }
}
