/**
 * What a service contributes to the node, as geth's node.Lifecycle plus the
 * protocols and APIs it registers: the node gathers protocols before the P2P
 * server starts, then starts services in registration order.
 */
import type { RpcMethods } from '../rpc/json-rpc.js';

export interface Service<P = unknown> {
  /** Unique within a node; a second service with the same name is refused. */
  readonly name: string;
  /** Wire protocols this service runs on every peer (eth, snap, ...). */
  protocols?(): P[];
  /** JSON-RPC methods this service serves, by full method name. */
  rpcMethods?(): RpcMethods;
  /** Methods served only on the JWT-authenticated endpoint (the Engine API), as geth's Authenticated APIs. */
  authRpcMethods?(): RpcMethods;
  start(): Promise<void>;
  stop(): Promise<void>;
}
