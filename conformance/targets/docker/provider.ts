/**
 * `--target docker:IMAGE`: a client in a container, following hive's client
 * contract (hive-contract.ts) on the host network. An image labelled
 * `devp2p-check.ports=env` gets free loopback ports through DEVP2P_CHECK_*
 * variables, so private instances can run beside the shared one; any other
 * image (hive's own client definitions) listens on hive's fixed ports, one
 * instance at a time. Ready means the enode is known, the RLPx port completes
 * a real handshake, RPC answers and the imported head has settled, not that
 * a port is open.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type Docker from 'dockerode';
import type { Requirement } from '../../core/test.js';
import type { Fixture } from '../../fixture/fixture.js';
import { probeTarget, type ProbeResult } from '../probe.js';
import { freePort, mentionsPortInUse, retryOnPortRace } from '../free-port.js';
import { rpcCall } from '../rpc-client.js';
import { waitForRpcHead } from '../rpc-ready.js';
import type { LaunchOptions, RunningTarget, TargetProvider } from '../target.js';
import { hexToBytes } from '../../../reference-node/wire/bytes.js';
import { LABEL, OWNER_LABEL, ownerId, reapOrphans, RUN_LABEL } from './cleanup.js';
import { ClientContainer } from './client-container.js';
import { connectDocker, describeEndpoint, isLocal, parseDockerHost, targetHostOf, type DockerEndpoint } from './daemon.js';
import { DockerError } from './errors.js';
import { buildHiveClient, findHiveClient } from './hive-client.js';
import { contractFiles, hasEngine, HIVE_ENODE_SCRIPT, HIVE_JWT_SECRET, HIVE_PORTS, hiveChainEnv, portEnv, PORTS_LABEL, type ContainerPorts } from './hive-contract.js';
import { buildTar } from './tar.js';

const START_TIMEOUT_MS = 300_000;

export interface DockerTargetOptions {
  /** Image reference, or the client name under hiveClients. */
  image: string;
  /** `--docker-host`; default DOCKER_HOST, then the local socket. */
  dockerHost?: string;
  /** `--hive-clients DIR`: build the image from a hive-style client folder first. */
  hiveClients?: string;
  /** `--docker-build-arg K=V,...` for that build. */
  buildArgs?: Readonly<Record<string, string>>;
  startTimeoutMs?: number;
}

interface Prepared {
  docker: Docker;
  tag: string;
  portsFromEnv: boolean;
  /** Where the image wants the chain-store cache volume (CHAIN_CACHE_LABEL), if anywhere. */
  chainCache?: string;
}

/** An image labelled with this (a path) keeps imported chain stores in a volume there, shared by its instances. */
export const CHAIN_CACHE_LABEL = 'devp2p-check.chain-cache';
export const CHAIN_CACHE_VOLUME = 'devp2p-check-chain-cache';

export class DockerTargetProvider implements TargetProvider {
  private readonly endpoint: DockerEndpoint;
  private prepared: Promise<Prepared> | undefined;
  private fixedPortsTaken = false;
  private portsFromEnv = true;
  private readonly runId = randomBytes(4).toString('hex');
  private seq = 0;

  constructor(readonly options: DockerTargetOptions) {
    if (options.image.trim() === '') throw new DockerError('config', 'docker: needs an image, e.g. docker:devp2p-check/reference-node:local');
    this.endpoint = parseDockerHost(options.dockerHost);
  }

  get description(): string {
    const where = this.options.dockerHost ? ` on ${describeEndpoint(this.endpoint)}` : '';
    return `docker:${this.options.image}${this.options.hiveClients ? ` (built from ${this.options.hiveClients})` : ''}${where}`;
  }

  /** Known once the image is inspected; images without the ports label run one instance at a time. */
  get canLaunchFresh(): boolean {
    return this.portsFromEnv;
  }

  start(fixture: Fixture): Promise<RunningTarget> {
    return retryOnPortRace(() => this.run(fixture, {}, 'shared'), (err) => this.portsFromEnv && mentionsPortInUse(err));
  }

  launch(fixture: Fixture, options: LaunchOptions): Promise<RunningTarget> {
    return retryOnPortRace(() => this.run(fixture, options, 'private'), (err) => this.portsFromEnv && mentionsPortInUse(err));
  }

  /** Connects, removes containers of dead earlier runs, builds or finds the image; once per provider. */
  private prepare(): Promise<Prepared> {
    if (this.prepared) return this.prepared;
    this.prepared = (async () => {
      const docker = await connectDocker(this.endpoint);
      await reapOrphans(docker);
      let tag = this.options.image;
      if (this.options.hiveClients) {
        const folder = findHiveClient(this.options.hiveClients, this.options.image);
        await buildHiveClient(docker, folder, this.options.buildArgs ?? {});
        tag = folder.tag;
      }
      let info: Docker.ImageInspectInfo;
      try {
        info = await docker.getImage(tag).inspect();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) throw new DockerError('image-missing', `image ${tag} is not on the Docker daemon (devp2p-check never pulls): build it (ci/docker/build-images.sh for ours, --hive-clients DIR for a hive client folder) or pull it yourself`);
        throw err;
      }
      const labels = info.Config?.Labels ?? {};
      this.portsFromEnv = labels[PORTS_LABEL] === 'env';
      const chainCache = labels[CHAIN_CACHE_LABEL];
      return { docker, tag, portsFromEnv: this.portsFromEnv, ...(chainCache?.startsWith('/') ? { chainCache } : {}) };
    })();
    // A failed preparation is not cached: the next start tries again.
    const prepared = this.prepared;
    prepared.catch(() => {
      if (this.prepared === prepared) this.prepared = undefined;
    });
    return prepared;
  }

  private async run(fixture: Fixture, options: LaunchOptions, instance: 'shared' | 'private'): Promise<RunningTarget> {
    const { docker, tag, portsFromEnv, chainCache } = await this.prepare();
    const host = await targetHostOf(this.endpoint);
    const ports = portsFromEnv ? await this.freePorts() : await this.takeFixedPorts();
    const env = { ...hiveChainEnv(fixture), ...(portsFromEnv ? portEnv(isLocal(this.endpoint) ? '127.0.0.1' : '0.0.0.0', ports) : {}) };
    const name = `devp2p-check-${process.pid}-${this.runId}-${++this.seq}`;
    const upload = buildTar(await contractFiles(fixture, options.chainPrefix, async (p) => new Uint8Array(await readFile(p))));
    let container: ClientContainer | undefined;
    const stop = async () => {
      await container?.remove();
      if (!portsFromEnv) this.fixedPortsTaken = false;
    };
    try {
      container = await ClientContainer.create(docker, this.endpoint, {
        image: tag,
        name,
        env,
        upload,
        ...(chainCache ? { volumes: { [CHAIN_CACHE_VOLUME]: chainCache } } : {}),
        labels: {
          [LABEL]: '1',
          [OWNER_LABEL]: ownerId(),
          [RUN_LABEL]: this.runId,
          'devp2p-check.profile': fixture.profile,
          'devp2p-check.instance': instance,
          ...(options.chainPrefix !== undefined ? { 'devp2p-check.chain-prefix': String(options.chainPrefix) } : {}),
        },
      });
      await container.start();
      const deadline = Date.now() + (this.options.startTimeoutMs ?? START_TIMEOUT_MS);
      const rpcUrl = `http://${urlHost(host)}:${ports.rpc}`;
      const found = await findEnode(container, rpcUrl, deadline);
      const port = portsFromEnv ? ports.p2p : found.port || ports.p2p;
      const probe = await handshakeUntilReady(container, host, port, found.publicKey, deadline);
      await rpcUntilReady(container, rpcUrl, Math.min(options.chainPrefix ?? fixture.head.number, fixture.head.number), deadline);
      const engine = hasEngine(env) ? { url: `http://${urlHost(host)}:${ports.engine}`, jwtSecret: HIVE_JWT_SECRET } : undefined;
      const capabilities = new Set<Requirement>([
        ...probe.ethVersions,
        fixture.profile === 'modern' ? 'profile:modern' : 'profile:legacy',
        'discv4',
        'rpc',
        'dial-out',
        ...(engine ? (['engine'] as Requirement[]) : []),
      ]);
      const running = container;
      return {
        description: `docker:${tag} (${fixture.profile})`,
        host,
        port,
        udpPort: port,
        publicKey: found.publicKey,
        enode: `enode://${found.hex}@${host.includes(':') ? `[${host}]` : host}:${port}`,
        rpcUrl,
        ...(engine ? { engine } : {}),
        capabilities,
        fixture,
        announcedCaps: probe.announcedCaps,
        alive: () => running.alive(),
        logTail: () => running.logTail(),
        memoryUsage: () => running.memoryUsage(),
        stop,
      };
    } catch (err) {
      const tail = container?.logTail(25);
      await stop().catch(() => undefined);
      if (err instanceof DockerError && tail && !err.message.includes('container output')) throw new DockerError(err.code, `${err.message}\ncontainer output (last lines):\n${tail}`);
      throw err;
    }
  }

  private async freePorts(): Promise<ContainerPorts> {
    return { p2p: await freePort(), rpc: await freePort(), engine: await freePort() };
  }

  /** hive's 30303/8545/8551, if no instance of ours holds them and nothing else listens there. */
  private async takeFixedPorts(): Promise<ContainerPorts> {
    if (this.fixedPortsTaken) throw new DockerError('ports-busy', `image ${this.options.image} has no ${PORTS_LABEL}=env label, so it listens on hive's fixed ports and only one instance can run at a time (use --profile legacy or modern, not both)`);
    if (isLocal(this.endpoint)) {
      for (const port of Object.values(HIVE_PORTS)) {
        if (!(await tcpPortFree(port))) throw new DockerError('ports-busy', `port ${port} on 127.0.0.1 is in use, and image ${this.options.image} (no ${PORTS_LABEL}=env label) can only listen on hive's fixed ports`);
      }
    }
    this.fixedPortsTaken = true;
    return { ...HIVE_PORTS };
  }
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function checkAlive(container: ClientContainer, what: string): void {
  if (!container.alive()) throw new DockerError('start-failed', `the container exited (${container.exitText()}) before ${what}`);
}

const ENODE_RE = /enode:\/\/([0-9a-fA-F]{128})@[^\s:]*:(\d+)/;

/** The enode from /hive-bin/enode.sh (hive's contract), else from admin_nodeInfo. */
async function findEnode(container: ClientContainer, rpcUrl: string, deadline: number): Promise<{ hex: string; publicKey: Uint8Array; port: number }> {
  let last = '';
  while (Date.now() < deadline) {
    checkAlive(container, 'it gave its enode');
    let text = '';
    try {
      const r = await container.exec([HIVE_ENODE_SCRIPT], 10_000);
      text = r.stdout;
      if (!ENODE_RE.test(text)) last = `${HIVE_ENODE_SCRIPT} exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`;
    } catch (err) {
      last = `${HIVE_ENODE_SCRIPT}: ${(err as Error).message}`;
    }
    if (!ENODE_RE.test(text)) {
      try {
        const info = (await rpcCall(rpcUrl, 'admin_nodeInfo', [], { timeoutMs: 3_000 })) as { enode?: unknown } | null;
        if (typeof info?.enode === 'string') text = info.enode;
      } catch {
        // not up yet
      }
    }
    const m = ENODE_RE.exec(text);
    if (m) return { hex: m[1]!.toLowerCase(), publicKey: hexToBytes(m[1]!.toLowerCase()), port: Number(m[2]) };
    await sleep(1_000);
  }
  throw new DockerError('start-failed', `no enode from ${HIVE_ENODE_SCRIPT} or admin_nodeInfo before the start deadline (${last})`);
}

/** Readiness is a completed handshake, not an open port: clients open ports before they can serve. */
async function handshakeUntilReady(container: ClientContainer, host: string, port: number, publicKey: Uint8Array, deadline: number): Promise<ProbeResult> {
  let last: Error | undefined;
  while (Date.now() < deadline) {
    checkAlive(container, 'its RLPx port completed a handshake');
    try {
      return await probeTarget(host, port, publicKey, 5_000);
    } catch (err) {
      last = err as Error;
      await sleep(500);
    }
  }
  throw new DockerError('start-failed', `no RLPx handshake on ${host}:${port} before the start deadline (${last?.message ?? ''})`);
}

async function rpcUntilReady(container: ClientContainer, rpcUrl: string, expectedHead: number, deadline: number): Promise<void> {
  await waitForRpcHead(rpcUrl, expectedHead, deadline, {
    checkAlive: () => checkAlive(container, 'its RPC answered'),
    timeoutError: (message) => new DockerError('start-failed', message),
  });
}
