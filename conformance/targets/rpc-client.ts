/**
 * JSON-RPC calls to a target (plain, or the Engine API with a fresh HS256
 * token per call). Every call has a deadline: a target that never answers
 * must not hang the run.
 */
import { signJwt } from '../../reference-node/rpc/jwt.js';

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly method: string,
    message: string,
    readonly code?: number,
  ) {
    super(`${method}: ${message}`);
  }
}

export const RPC_TIMEOUT_MS = 10_000;

export async function rpcCall(url: string, method: string, params: unknown[] = [], options: { jwtSecret?: Uint8Array; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.jwtSecret) headers['authorization'] = `Bearer ${signJwt(options.jwtSecret)}`;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? RPC_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal });
  } catch (err) {
    throw new RpcError(method, `no answer from ${url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: { result?: unknown; error?: { code?: number; message?: string } };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    throw new RpcError(method, `HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 120)}`);
  }
  if (json.error) throw new RpcError(method, json.error.message ?? 'error without a message', json.error.code);
  return json.result;
}
