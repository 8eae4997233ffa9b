/**
 * One client container: created on the host network with our labels, the
 * contract files uploaded before it starts, its output kept (for crash
 * verdicts and reports), its exit noticed without polling, commands run in
 * it (the enode script), and removed with everything it wrote.
 */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { track, untrack } from './cleanup.js';
import type { DockerEndpoint } from './daemon.js';
import { DockerError } from './errors.js';

const LOG_LINES = 400;

export interface ContainerSpec {
  image: string;
  /** Unique; registered for cleanup before the container exists. */
  name: string;
  env: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
  /** A tar archive extracted at / before start. */
  upload?: Uint8Array;
  /** Named volumes to mount: volume name -> absolute path in the container. */
  volumes?: Readonly<Record<string, string>>;
}

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Lines from a byte stream, the last LOG_LINES kept. */
class LineLog {
  private readonly lines: string[] = [];
  private partial = '';

  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > LOG_LINES) this.lines.shift();
    }
  }

  tail(n: number): string {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].slice(-n).join('\n');
  }
}

export class ClientContainer {
  private readonly log = new LineLog();
  private exit: { code: number } | undefined;
  private removed = false;

  private constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
    readonly name: string,
  ) {}

  /** Creates the container and uploads its files; it is not running yet. */
  static async create(docker: Docker, endpoint: DockerEndpoint, spec: ContainerSpec): Promise<ClientContainer> {
    track(spec.name, endpoint);
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: { ...spec.labels },
        HostConfig: {
          // Host networking only: no bridge, no NAT, no published ports (the daemon runs with --bridge=none).
          NetworkMode: 'host',
          AutoRemove: false,
          Init: true,
          Mounts: Object.entries(spec.volumes ?? {}).map(([Source, Target]) => ({ Type: 'volume' as const, Source, Target })),
        },
      });
    } catch (err) {
      untrack(spec.name);
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404) throw new DockerError('image-missing', `image ${spec.image} is not on the Docker daemon (devp2p-check never pulls): build it, e.g. ci/docker/build-images.sh, or docker pull it yourself`);
      throw new DockerError('start-failed', `cannot create a container of ${spec.image}: ${(err as Error).message}`);
    }
    const client = new ClientContainer(docker, container, spec.name);
    try {
      if (spec.upload) await container.putArchive(Buffer.from(spec.upload), { path: '/' });
    } catch (err) {
      await client.remove();
      throw new DockerError('start-failed', `cannot upload the fixture into ${spec.name}: ${(err as Error).message}`);
    }
    return client;
  }

  async start(): Promise<void> {
    // Attach before start so no early line is lost.
    const stream = (await this.container.attach({ stream: true, stdout: true, stderr: true, logs: true })) as NodeJS.ReadableStream & { socket?: { unref?(): void } };
    // Watching must not keep the process alive: a run that is over exits, and its exit handler removes what is left.
    stream.socket?.unref?.();
    const out = new PassThrough();
    out.on('data', (chunk: Buffer) => this.log.push(chunk));
    this.docker.modem.demuxStream(stream, out, out);
    // The attach stream ends when the container stops, whoever stopped it.
    stream.on('end', () => void this.noticeExit());
    stream.on('error', () => void this.noticeExit());
    try {
      await this.container.start();
    } catch (err) {
      throw new DockerError('start-failed', `container ${this.name} did not start: ${(err as Error).message}`);
    }
  }

  /** The attach stream ended: find out whether the container stopped (or only our connection did, then look again later). */
  private async noticeExit(): Promise<void> {
    for (;;) {
      if (this.removed || this.exit) return;
      try {
        const state = (await this.container.inspect()).State;
        if (!state.Running) {
          this.exit = { code: state.ExitCode };
          return;
        }
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) {
          this.exit = { code: -1 };
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 1_000).unref());
    }
  }

  alive(): boolean {
    return this.exit === undefined && !this.removed;
  }

  exitText(): string {
    if (this.removed) return 'removed';
    return this.exit ? `exit code ${this.exit.code}` : 'running';
  }

  logTail(lines = 60): string {
    return this.log.tail(lines);
  }

  /**
   * The container's memory as `docker stats` shows it: usage less the
   * reclaimable page cache (cgroup v2 inactive_file, v1 total_inactive_file).
   * Undefined once it is gone or when the daemon gives no figure.
   */
  async memoryUsage(): Promise<number | undefined> {
    if (!this.alive()) return undefined;
    try {
      const stats = (await this.container.stats({ stream: false, 'one-shot': true })) as { memory_stats?: { usage?: number; stats?: Record<string, number> } };
      const m = stats.memory_stats;
      if (m?.usage === undefined) return undefined;
      const cache = m.stats?.['inactive_file'] ?? m.stats?.['total_inactive_file'] ?? 0;
      return m.usage - Math.min(cache, m.usage);
    } catch {
      return undefined;
    }
  }

  /** Runs a command in the running container; a command that does not exist gives exitCode 126/127, not an exception. */
  async exec(cmd: readonly string[], timeoutMs: number): Promise<ExecResult> {
    const exec = await this.container.exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    let stdout = '';
    let stderr = '';
    const out = new PassThrough().on('data', (c: Buffer) => (stdout += c.toString()));
    const err = new PassThrough().on('data', (c: Buffer) => (stderr += c.toString()));
    this.docker.modem.demuxStream(stream, out, err);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        reject(new DockerError('start-failed', `${cmd.join(' ')} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      stream.on('end', () => {
        clearTimeout(timer);
        resolve();
      });
      stream.on('error', (e: Error) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? null, stdout, stderr };
  }

  /** Kills and removes the container and its anonymous volumes; safe to call twice or after the daemon already removed it. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    try {
      await this.container.remove({ force: true, v: true });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      // 404: already gone (a signal handler removed it first); 409: a removal is already under way.
      if (status !== 404 && status !== 409) {
        this.removed = false;
        throw err;
      }
    }
    untrack(this.name);
  }
}
