/**
 * The node's networking endpoint: one port number for TCP RLPx and UDP
 * discovery (default 30303), as geth's p2p.Server.Start. The TCP listener
 * binds first; discovery then binds UDP on the same number, so `--port 0`
 * means "one free number for both". Discovery feeds the dial scheduler
 * unless --nodial, and the node database lives in <datadir>/nodes.
 */
import { join } from 'node:path';
import { Discv4, type Discv4Options } from '../discovery/discv4.js';
import { NodeDb } from '../discovery/node-db.js';
import type { DiscoveredNode } from '../discovery/types.js';
import { formatEnrText, type Enr } from '../wire/enr.js';
import { bytesToHex } from '../wire/bytes.js';
import { formatEnode, parseEnode, type Enode } from '../wire/enode.js';
import { nodeIdOf, publicKeyOf, type PrivateKey } from '../wire/keys.js';
import { Server, type PeerInfo, type Protocol, type ServerOptions } from '../p2p/server.js';
import { expectParam, RpcError, RPC_INVALID_PARAMS, toQuantity, type JsonValue, type RpcMethods } from '../rpc/json-rpc.js';
import type { P2pEndpoint } from './node.js';

export const DEFAULT_PORT = 30303;
/** Tries for `--port 0`: the free TCP number may be taken on UDP. */
const FREE_PORT_ATTEMPTS = 10;

export interface NetworkConfig {
  privateKey: PrivateKey;
  clientId: string;
  host?: string;
  port?: number;
  datadir?: string;
  maxPeers?: number;
  bootnodes?: Enode[];
  staticNodes?: Enode[];
  trustedNodes?: Enode[];
  noDiscover?: boolean;
  noDial?: boolean;
  /** Extra server settings (timeouts, throttling) for tests and simulators. */
  server?: Partial<ServerOptions>;
  /** Discovery timing for tests (refresh, revalidation, response timeout). */
  discovery?: Partial<Pick<Discv4Options, 'refreshIntervalMs' | 'revalidateIntervalMs' | 'respTimeoutMs' | 'emptyTableDelayMs'>>;
}

export class NetworkEndpoint implements P2pEndpoint<Protocol> {
  private serverValue: Server | undefined;
  private discoveryValue: Discv4 | undefined;
  private db: NodeDb | undefined;

  constructor(readonly config: NetworkConfig) {}

  get server(): Server {
    if (!this.serverValue) throw new Error('network is not open');
    return this.serverValue;
  }

  get discovery(): Discv4 | undefined {
    return this.discoveryValue;
  }

  get port(): number {
    return this.server.port;
  }

  get localEnode(): Enode {
    return { ...this.server.localEnode, udpPort: this.discoveryValue?.port ?? 0 };
  }

  get enode(): string {
    return formatEnode(this.localEnode);
  }

  /** Nodes kept in the node database (geth keeps those that passed several revalidations). */
  knownNodes(): DiscoveredNode[] {
    return this.db?.nodes() ?? [];
  }

  get enr(): Enr | undefined {
    return this.discoveryValue?.localEnr();
  }

  async open(protocols: Protocol[]): Promise<void> {
    const c = this.config;
    this.db = await NodeDb.open(c.datadir === undefined ? undefined : join(c.datadir, 'nodes'));
    const wanted = c.port ?? DEFAULT_PORT;
    for (let attempt = 1; ; attempt++) {
      const server = new Server({
        ...c.server,
        privateKey: c.privateKey,
        clientId: c.clientId,
        host: c.host ?? '127.0.0.1',
        port: wanted,
        ...(c.maxPeers !== undefined ? { maxPeers: c.maxPeers } : {}),
        staticNodes: c.staticNodes ?? [],
        trustedNodes: c.trustedNodes ?? [],
        noDial: c.noDial ?? false,
        protocols,
      });
      await server.start();
      this.serverValue = server;
      if (c.noDiscover) return;
      try {
        this.discoveryValue = await Discv4.start({
          ...c.discovery,
          privateKey: c.privateKey,
          db: this.db,
          host: c.host ?? '127.0.0.1',
          port: server.port,
          tcpPort: server.port,
          bootnodes: c.bootnodes ?? [],
        });
      } catch (err) {
        await server.stop();
        this.serverValue = undefined;
        if (wanted === 0 && attempt < FREE_PORT_ATTEMPTS) continue;
        throw new Error(`cannot start discovery on UDP port ${server.port}: ${(err as Error).message}`);
      }
      if (!c.noDial) server.addDialCandidates(this.discoveryValue.randomNodes());
      return;
    }
  }

  async close(): Promise<void> {
    await this.serverValue?.stop();
    await this.discoveryValue?.close();
    await this.db?.close();
    this.serverValue = undefined;
    this.discoveryValue = undefined;
    this.db = undefined;
  }

  /** admin_* and net_* as geth names them; admin is served on loopback only. */
  rpcMethods(): RpcMethods {
    const enodeParam = (params: JsonValue[]): Enode => {
      const url = expectParam<string>(params, 0, 'string', 'enode');
      try {
        return parseEnode(url);
      } catch (err) {
        throw new RpcError(RPC_INVALID_PARAMS, `invalid enode: ${(err as Error).message}`);
      }
    };
    return {
      admin_nodeInfo: () => this.nodeInfo(),
      admin_peers: () => this.server.peers().map(peerJson),
      admin_addPeer: (params) => {
        this.server.addPeer(enodeParam(params));
        return true;
      },
      admin_removePeer: (params) => {
        this.server.removePeer(enodeParam(params).publicKey);
        return true;
      },
      admin_addTrustedPeer: (params) => {
        this.server.addTrustedPeer(enodeParam(params).publicKey);
        return true;
      },
      admin_removeTrustedPeer: (params) => {
        this.server.removeTrustedPeer(enodeParam(params).publicKey);
        return true;
      },
      net_peerCount: () => toQuantity(this.server.peerCount),
      net_listening: () => this.serverValue?.running ?? false,
    };
  }

  private nodeInfo(): JsonValue {
    const local = this.localEnode;
    const enr = this.enr;
    return {
      id: bytesToHex(nodeIdOf(publicKeyOf(this.config.privateKey))),
      name: this.config.clientId,
      enode: this.enode,
      enr: enr === undefined ? null : formatEnrText(enr),
      ip: local.ip,
      ports: { discovery: local.udpPort, listener: local.tcpPort },
      listenAddr: `${local.ip.includes(':') ? `[${local.ip}]` : local.ip}:${local.tcpPort}`,
      protocols: {},
    };
  }
}

function peerJson(p: PeerInfo): JsonValue {
  return {
    id: p.id,
    name: p.name,
    enode: p.enode,
    caps: p.caps,
    network: {
      localAddress: `${p.localAddress.ip}:${p.localAddress.port}`,
      remoteAddress: `${p.remoteAddress.ip}:${p.remoteAddress.port}`,
      inbound: p.inbound,
      trusted: p.trusted,
      static: p.static,
    },
    protocols: Object.fromEntries(p.shared.map((s) => [s.name, { version: s.version }])),
  };
}
