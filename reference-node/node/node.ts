/**
 * Node assembly, as geth's node.Node: services register first; start() opens
 * the P2P endpoint with the protocols gathered from every service, then the
 * RPC endpoint, then starts services in order. If one fails, the ones already
 * started stop in reverse and the endpoints close, so a failed start leaves
 * nothing running.
 */
import { startAuthRpcServer } from '../rpc/auth-http-server.js';
import { RpcHttpServer } from '../rpc/http-server.js';
import type { RpcMethods } from '../rpc/json-rpc.js';
import type { Service } from './service.js';

/** The networking half of the node: P2P server plus discovery (see p2p-endpoint.ts). */
export interface P2pEndpoint<P> {
  open(protocols: P[]): Promise<void>;
  close(): Promise<void>;
  /** admin_* and net_* methods that report on the network. */
  rpcMethods(): RpcMethods;
}

export interface NodeOptions<P> {
  p2p: P2pEndpoint<P>;
  /** Serve JSON-RPC on 127.0.0.1 at this port (0 picks one); undefined: no RPC. */
  httpPort?: number;
  /** Serve the services' authenticated methods (Engine API) on 127.0.0.1 with this JWT secret; undefined: none. */
  authRpc?: { port: number; secret: Uint8Array };
}

export type NodeState = 'initializing' | 'running' | 'closed';

export class DuplicateServiceError extends Error {
  override readonly name = 'DuplicateServiceError';
}

export class NodeStartError extends Error {
  override readonly name = 'NodeStartError';
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

export class Node<P = unknown> {
  private readonly services: Service<P>[] = [];
  private started: Service<P>[] = [];
  private rpc: RpcHttpServer | undefined;
  private authRpc: RpcHttpServer | undefined;
  private p2pOpen = false;
  private stateValue: NodeState = 'initializing';

  constructor(private readonly options: NodeOptions<P>) {}

  get state(): NodeState {
    return this.stateValue;
  }

  /** Port of the JSON-RPC server, once running. */
  get httpPort(): number | undefined {
    return this.rpc?.port;
  }

  /** Port of the authenticated (Engine API) server, once running. */
  get authPort(): number | undefined {
    return this.authRpc?.port;
  }

  register(service: Service<P>): void {
    if (this.stateValue !== 'initializing') throw new Error(`cannot register ${service.name}: node is ${this.stateValue}`);
    if (this.services.some((s) => s.name === service.name)) {
      throw new DuplicateServiceError(`a service named "${service.name}" is already registered`);
    }
    this.services.push(service);
  }

  async start(): Promise<void> {
    if (this.stateValue !== 'initializing') throw new Error(`node is ${this.stateValue}`);
    this.stateValue = 'running';
    try {
      await this.options.p2p.open(this.services.flatMap((s) => s.protocols?.() ?? []));
      this.p2pOpen = true;
      if (this.options.httpPort !== undefined) {
        this.rpc = await RpcHttpServer.listen(this.rpcMethods(), this.options.httpPort);
      }
      const auth = this.options.authRpc;
      if (auth !== undefined) {
        const methods: RpcMethods = {};
        for (const service of this.services) Object.assign(methods, service.authRpcMethods?.() ?? {});
        this.authRpc = await startAuthRpcServer({ methods, port: auth.port, secret: auth.secret });
      }
      for (const service of this.services) {
        try {
          await service.start();
        } catch (err) {
          throw new NodeStartError(`service ${service.name} failed to start: ${(err as Error).message}`, err);
        }
        this.started.push(service);
      }
    } catch (err) {
      // The start failure is what the caller needs to see; a second failure while rolling back would hide it.
      await this.shutdown().catch(() => undefined);
      throw err instanceof NodeStartError ? err : new NodeStartError(`node failed to start: ${(err as Error).message}`, err);
    }
  }

  /** Stops services in reverse order, then the endpoints. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stateValue === 'closed') return;
    await this.shutdown();
  }

  private rpcMethods(): RpcMethods {
    const methods: RpcMethods = { ...this.options.p2p.rpcMethods() };
    for (const service of this.services) Object.assign(methods, service.rpcMethods?.() ?? {});
    return methods;
  }

  private async shutdown(): Promise<void> {
    this.stateValue = 'closed';
    const errors: unknown[] = [];
    for (const service of this.started.reverse()) {
      await service.stop().catch((err: unknown) => errors.push(err));
    }
    this.started = [];
    await this.rpc?.close();
    this.rpc = undefined;
    await this.authRpc?.close();
    this.authRpc = undefined;
    if (this.p2pOpen) await this.options.p2p.close().catch((err: unknown) => errors.push(err));
    this.p2pOpen = false;
    if (errors.length > 0) throw new AggregateError(errors, 'errors while stopping the node');
  }
}
