/**
 * For the tests that need Docker: whether a daemon answers (tests skip with
 * that reason when none does), the images built by ci/docker (rebuilt only
 * when their context changed), and the containers a process owns.
 */
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { LABEL, OWNER_LABEL, ownerId } from './cleanup.js';
import { connectDocker, describeEndpoint, parseDockerHost } from './daemon.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const packageRoot = root.endsWith('/dist') ? resolve(root, '..') : root;

export const REFERENCE_IMAGE = 'devp2p-check/reference-node:local';
export const ETHEREUMJS_IMAGE = 'devp2p-check/ethereumjs-client:local';

/** The daemon, or why there is none (the text goes into the skipped tests' names). */
export async function dockerOrReason(): Promise<{ docker: Docker } | { reason: string }> {
  try {
    return { docker: await connectDocker(parseDockerHost(undefined)) };
  } catch {
    return { reason: `skipped: no Docker daemon reachable at ${describeEndpoint(parseDockerHost(undefined))}` };
  }
}

/** Builds (or finds up to date) the named ci/docker images. */
export async function ensureImages(...images: Array<'reference-node' | 'ethereumjs-client'>): Promise<void> {
  await promisify(execFile)('bash', [resolve(packageRoot, 'ci/docker/build-images.sh'), ...images], { cwd: packageRoot, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 });
}

/** Containers (running or not) that process `pid` of this host created. */
export async function containersOf(docker: Docker, pid: number): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL}`, `${OWNER_LABEL}=${ownerId(pid)}`] } });
}

export const CLI = resolve(packageRoot, 'dist/cli/bin.js');
