/**
 * The authenticated JSON-RPC endpoint of the Engine API (geth's --authrpc.*):
 * HTTP on 127.0.0.1 only, and every request must carry
 * `Authorization: Bearer <jwt>` signed with the shared secret (jwt.ts), else
 * HTTP 401 with the reason in the body, as geth's jwt_handler answers. The
 * spec (authentication.md) authenticates each HTTP request on its own.
 */
import { RpcHttpServer } from './http-server.js';
import type { RpcMethods } from './json-rpc.js';
import { JwtError, JWT_SECRET_LENGTH, verifyBearer } from './jwt.js';

/** The spec's default Engine API port. */
export const DEFAULT_AUTH_RPC_PORT = 8551;
/** Loopback only: the Engine API can move the head and must never be reachable from elsewhere. */
export const AUTH_RPC_HOST = '127.0.0.1';

export interface AuthRpcServerOptions {
  methods: RpcMethods;
  /** 0 picks a free port (read it from the returned server's `port`). */
  port: number;
  secret: Uint8Array;
  /** Seconds since the epoch; a test clock. Defaults to Date.now(). */
  now?: () => number;
}

export function startAuthRpcServer(options: AuthRpcServerOptions): Promise<RpcHttpServer> {
  const { secret } = options;
  if (secret.length !== JWT_SECRET_LENGTH) throw new RangeError(`the Engine API secret has ${JWT_SECRET_LENGTH} bytes, got ${secret.length}`);
  const now = options.now ?? (() => Date.now() / 1000);
  const authorize = (headers: { authorization?: string }): string | undefined => {
    try {
      verifyBearer(headers.authorization, secret, now());
      return undefined;
    } catch (err) {
      if (err instanceof JwtError) return `unauthorized: ${err.message}`;
      throw err;
    }
  };
  return RpcHttpServer.listen(options.methods, options.port, AUTH_RPC_HOST, { authorize });
}
