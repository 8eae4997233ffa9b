/**
 * Which Docker daemon to use (`--docker-host`, else DOCKER_HOST, else the
 * local socket) and where its containers' ports are reached: containers run
 * on the host network, so a local daemon's clients are on 127.0.0.1 and a
 * remote daemon's on that daemon's host.
 */
import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { DockerError } from './errors.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: boolean }
  | { kind: 'ssh'; host: string; port: number; username?: string };

/** Parses `unix:///path`, `tcp://host:port`, `host:port` or `ssh://[user@]host[:port]`. */
export function parseDockerHost(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const text = spec ?? env['DOCKER_HOST'];
  if (text === undefined || text === '') return { kind: 'unix', socketPath: DEFAULT_SOCKET };
  if (text.startsWith('unix://')) return { kind: 'unix', socketPath: text.slice('unix://'.length) || DEFAULT_SOCKET };
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `tcp://${text}`);
  } catch {
    throw new DockerError('config', `docker host "${text}" is not unix:///path, tcp://host:port or ssh://[user@]host`);
  }
  if (url.hostname === '') throw new DockerError('config', `docker host "${text}" names no host`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol === 'ssh:') return { kind: 'ssh', host, port: Number(url.port || 22), ...(url.username ? { username: url.username } : {}) };
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') throw new DockerError('config', `docker host "${text}": unknown scheme ${url.protocol}`);
  const port = Number(url.port || (url.protocol === 'https:' ? 2376 : 2375));
  return { kind: 'tcp', host, port, tls: url.protocol === 'https:' || env['DOCKER_TLS_VERIFY'] === '1' || port === 2376 };
}

export function describeEndpoint(endpoint: DockerEndpoint): string {
  if (endpoint.kind === 'unix') return `unix://${endpoint.socketPath}`;
  if (endpoint.kind === 'ssh') return `ssh://${endpoint.username ? `${endpoint.username}@` : ''}${endpoint.host}:${endpoint.port}`;
  return `${endpoint.tls ? 'https' : 'tcp'}://${endpoint.host}:${endpoint.port}`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** True when the daemon's host network is this machine's. */
export function isLocal(endpoint: DockerEndpoint): boolean {
  return endpoint.kind === 'unix' || isLoopback(endpoint.host);
}

/** The IP our simulated peers dial to reach a container on the daemon's host network. */
export async function targetHostOf(endpoint: DockerEndpoint): Promise<string> {
  if (isLocal(endpoint)) return '127.0.0.1';
  const host = (endpoint as { host: string }).host;
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (err) {
    throw new DockerError('config', `cannot resolve the docker host ${host}: ${(err as Error).message}`);
  }
}

function modemOptions(endpoint: DockerEndpoint, env: NodeJS.ProcessEnv): Docker.DockerOptions {
  if (endpoint.kind === 'unix') return { socketPath: endpoint.socketPath };
  if (endpoint.kind === 'ssh') return { protocol: 'ssh', host: endpoint.host, port: endpoint.port, ...(endpoint.username ? { username: endpoint.username } : {}), sshOptions: { agent: env['SSH_AUTH_SOCK'] } } as Docker.DockerOptions;
  const certPath = env['DOCKER_CERT_PATH'];
  const tls = endpoint.tls && certPath ? { ca: readFileSync(join(certPath, 'ca.pem')), cert: readFileSync(join(certPath, 'cert.pem')), key: readFileSync(join(certPath, 'key.pem')) } : {};
  return { protocol: endpoint.tls ? 'https' : 'http', host: endpoint.host, port: endpoint.port, ...tls };
}

/** A client for the daemon, after a ping: a daemon that does not answer is a DockerError('daemon-unreachable'). */
export async function connectDocker(endpoint: DockerEndpoint, env: NodeJS.ProcessEnv = process.env): Promise<Docker> {
  const docker = new Docker(modemOptions(endpoint, env));
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 10 s')), 10_000).unref()),
    ]);
  } catch (err) {
    throw new DockerError('daemon-unreachable', `no Docker daemon answers at ${describeEndpoint(endpoint)} (${(err as Error).message}); start one (dockerd --bridge=none --iptables=false) or give --docker-host`);
  }
  return docker;
}
