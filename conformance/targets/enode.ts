/**
 * A node that is already running (`--target enode://...`). We cannot restart
 * it or launch private copies, so fresh tests are skipped; RPC and the Engine
 * API are available when the user gives --rpc / --engine and --jwtsecret.
 */
import { parseEnode } from '../../reference-node/wire/enode.js';
import type { Requirement } from '../core/test.js';
import type { Fixture } from '../fixture/fixture.js';
import { probeTarget } from './probe.js';
import type { EngineEndpoint, RunningTarget, TargetProvider } from './target.js';

export interface EnodeTargetOptions {
  rpcUrl?: string;
  engine?: EngineEndpoint;
}

export class EnodeTargetProvider implements TargetProvider {
  readonly canLaunchFresh = false;

  constructor(
    readonly enode: string,
    private readonly options: EnodeTargetOptions,
  ) {}

  get description(): string {
    return this.enode;
  }

  async start(fixture: Fixture): Promise<RunningTarget> {
    const node = parseEnode(this.enode);
    const probe = await probeTarget(node.ip, node.tcpPort, node.publicKey);
    const capabilities = new Set<Requirement>([
      ...probe.ethVersions,
      fixture.profile === 'modern' ? 'profile:modern' : 'profile:legacy',
      ...(node.udpPort !== 0 ? (['discv4'] as Requirement[]) : []),
      ...(this.options.rpcUrl ? (['rpc', 'dial-out'] as Requirement[]) : []),
      ...(this.options.engine ? (['engine'] as Requirement[]) : []),
    ]);
    return {
      description: this.enode,
      host: node.ip,
      port: node.tcpPort,
      udpPort: node.udpPort,
      publicKey: node.publicKey,
      enode: this.enode,
      ...(this.options.rpcUrl ? { rpcUrl: this.options.rpcUrl } : {}),
      ...(this.options.engine ? { engine: this.options.engine } : {}),
      capabilities,
      fixture,
      announcedCaps: probe.announcedCaps,
      alive: () => true,
      logTail: () => '',
      stop: async () => undefined,
    };
  }

  launch(): Promise<RunningTarget> {
    return Promise.reject(new Error('an enode target cannot launch private instances'));
  }
}
