/**
 * `--hive-clients DIR`: builds a client image from a hive-style client
 * folder the user already has (Dockerfile, start script, enode.sh; hive keeps
 * them as clients/<name>/), as hive's `docker build .` in that folder does.
 * DIR is either the clients folder (then the target names the client:
 * docker:<name>) or one client's folder.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type Docker from 'dockerode';
import { DockerError } from './errors.js';

export interface HiveClientFolder {
  dir: string;
  name: string;
  tag: string;
}

/** The folder to build for client `name`, and the tag its image gets. */
export function findHiveClient(clientsDir: string, name: string): HiveClientFolder {
  const root = resolve(clientsDir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new DockerError('config', `--hive-clients ${clientsDir} is not a folder`);
  const nested = join(root, name);
  let dir: string;
  if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name) && existsSync(join(nested, 'Dockerfile'))) dir = nested;
  else if (existsSync(join(root, 'Dockerfile'))) dir = root;
  else throw new DockerError('config', `--hive-clients ${clientsDir}: neither ${join(clientsDir, name, 'Dockerfile')} nor ${join(clientsDir, 'Dockerfile')} exists`);
  const clientName = dir === root ? basename(root) : name;
  const tag = `devp2p-check/hive-${clientName.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}:local`;
  return { dir, name: clientName, tag };
}

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => statSync(join(dir, p)).isFile()).map((p) => relative(dir, join(dir, p)));
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Builds the folder into `folder.tag`; a failed build is a DockerError with the end of the build output. */
export async function buildHiveClient(docker: Docker, folder: HiveClientFolder, buildArgs: Readonly<Record<string, string>>): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(
      { context: folder.dir, src: filesUnder(folder.dir) },
      { t: folder.tag, buildargs: { ...buildArgs }, labels: { 'devp2p-check.hive-client': folder.name }, rm: true, forcerm: true },
    );
  } catch (err) {
    throw new DockerError('build-failed', `cannot build ${folder.dir}: ${(err as Error).message}`);
  }
  const output: string[] = [];
  const events = await new Promise<BuildEvent[]>((resolveEvents, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null, result: BuildEvent[]) => (err ? reject(err) : resolveEvents(result)),
      (event: BuildEvent) => {
        if (event.stream) output.push(...event.stream.split('\n').filter((l) => l.trim() !== ''));
      },
    ),
  ).catch((err: Error) => {
    throw new DockerError('build-failed', `building ${folder.dir} broke off: ${err.message}`);
  });
  const failure = events.find((e) => e.error || e.errorDetail);
  if (failure) {
    throw new DockerError('build-failed', `building ${folder.dir} failed: ${failure.errorDetail?.message ?? failure.error}\n${output.slice(-15).join('\n')}`);
  }
}
