/**
 * No container outlives the run that started it. Three layers:
 *  - every container carries labels naming this host and process, and is
 *    removed by its target's stop() (normal exit, failures, crash restarts);
 *  - while any is alive, SIGINT/SIGTERM and process exit remove them all
 *    synchronously (a child process does the HTTP calls, as an exit handler
 *    cannot wait for I/O), so a run killed in the middle of a start leaks none;
 *  - containers whose owning process is gone (kill -9) are removed by the
 *    next run on the same host (reapOrphans).
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { DockerEndpoint } from './daemon.js';

export const LABEL = 'devp2p-check';
export const OWNER_LABEL = 'devp2p-check.owner';
export const RUN_LABEL = 'devp2p-check.run';

/** `<hostname>:<pid>` of this process, the value of OWNER_LABEL on its containers. */
export function ownerId(pid = process.pid): string {
  return `${hostname()}:${pid}`;
}

/** Containers this process created and has not removed: name -> daemon. */
const live = new Map<string, DockerEndpoint>();

/**
 * The synchronous remover: a node child that DELETEs each container over the
 * daemon's socket or plain TCP (the endpoints a child can reach without
 * credentials; TLS and ssh daemons rely on stop() and reapOrphans).
 */
const REMOVER = `
const http = require('node:http');
const [endpoint, ...names] = JSON.parse(process.argv[1]);
let pending = names.length;
for (const name of names) {
  const req = http.request({ ...endpoint, method: 'DELETE', path: '/containers/' + encodeURIComponent(name) + '?force=true&v=true', timeout: 8000 }, (res) => { res.resume(); res.on('end', () => --pending || process.exit(0)); });
  req.on('error', () => --pending || process.exit(0));
  req.on('timeout', () => req.destroy());
  req.end();
}
`;

export function removeNowSync(): void {
  const byEndpoint = new Map<string, { endpoint: DockerEndpoint; names: string[] }>();
  for (const [name, endpoint] of live) {
    const key = JSON.stringify(endpoint);
    const entry = byEndpoint.get(key) ?? { endpoint, names: [] };
    entry.names.push(name);
    byEndpoint.set(key, entry);
  }
  for (const { endpoint, names } of byEndpoint.values()) {
    let target: object;
    if (endpoint.kind === 'unix') target = { socketPath: endpoint.socketPath };
    else if (endpoint.kind === 'tcp' && !endpoint.tls) target = { host: endpoint.host, port: endpoint.port };
    else continue;
    spawnSync(process.execPath, ['-e', REMOVER, JSON.stringify([target, ...names])], { stdio: 'ignore', timeout: 15_000 });
  }
  live.clear();
  uninstall();
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const onSignal = (signal: NodeJS.Signals) => {
  // Runs first (prepended), so the other handlers are still registered here.
  const others = process.listeners(signal).filter((l) => l !== onSignal).length;
  removeNowSync();
  // Someone else (conform's own handler) decides how to exit; if nobody does, exit as the signal would have.
  if (others === 0) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
};
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeNowSync);
  for (const s of SIGNALS) process.prependListener(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', removeNowSync);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Call before creating the container: a signal during creation then removes it too (by name). */
export function track(name: string, endpoint: DockerEndpoint): void {
  live.set(name, endpoint);
  install();
}

export function untrack(name: string): void {
  live.delete(name);
  if (live.size === 0) uninstall();
}

export function trackedCount(): number {
  return live.size;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes containers left by dead processes of this host; returns their names. Others' and live runs' containers are left alone. */
export async function reapOrphans(docker: Docker): Promise<string[]> {
  const prefix = `${hostname()}:`;
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  const orphans = containers.filter((c) => {
    const owner = c.Labels[OWNER_LABEL] ?? '';
    if (!owner.startsWith(prefix)) return false;
    const pid = Number(owner.slice(prefix.length));
    return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
  });
  await Promise.allSettled(orphans.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
  return orphans.map((c) => c.Names[0]?.replace(/^\//, '') ?? c.Id);
}
