/**
 * The default target: this package's own node, started as a child process
 * from the built CLI exactly as a user would start it, holding the fixture.
 * `faults` plants protocol bugs (`--fault NAME`) for the self-check.
 */
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeBlock } from '../../reference-node/wire/block.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { parseEnode } from '../../reference-node/wire/enode.js';
import type { Requirement } from '../core/test.js';
import { cacheRoot, generatorDigest } from '../fixture/default-fixtures.js';
import { chainPrefixRlp, type Fixture } from '../fixture/fixture.js';
import { ChildTarget } from './child-process.js';
import { probeTarget } from './probe.js';
import type { LaunchOptions, RunningTarget, TargetCapability, TargetProvider } from './target.js';

const START_TIMEOUT_MS = 120_000;

/** The built CLI: dist/cli/bin.js under the package root (found from this file in src or dist). */
export function builtCliPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) {
      const bin = join(dir, 'dist', 'cli', 'bin.js');
      if (!existsSync(bin)) throw new Error(`${bin} is missing: run "npm run build" first`);
      return bin;
    }
    dir = resolve(dir, '..');
  }
  throw new Error('cannot find the package root of devp2p-check');
}

export interface ReferenceTargetOptions {
  faults?: readonly string[];
}

export class ReferenceTargetProvider implements TargetProvider {
  readonly canLaunchFresh = true;

  constructor(private readonly options: ReferenceTargetOptions = {}) {}

  get description(): string {
    return `reference node${this.options.faults?.length ? ` with --fault ${this.options.faults.join(',')}` : ''}`;
  }

  start(fixture: Fixture): Promise<RunningTarget> {
    return this.launch(fixture, {});
  }

  async launch(fixture: Fixture, options: LaunchOptions): Promise<RunningTarget> {
    const dir = await mkdtemp(join(tmpdir(), 'devp2p-check-target-'));
    try {
      return await this.spawnIn(dir, fixture, options);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private async spawnIn(dir: string, fixture: Fixture, options: LaunchOptions): Promise<RunningTarget> {
    const prefix = Math.min(options.chainPrefix ?? fixture.head.number, fixture.head.number);
    const datadir = join(dir, 'data');
    await mkdir(datadir, { recursive: true });
    if (prefix > 0) await cp(join(await importedChain(fixture, prefix), 'chaindata'), join(datadir, 'chaindata'), { recursive: true });
    const modern = fixture.profile === 'modern';
    const jwtPath = join(dir, 'jwtsecret');
    const jwtSecret = new Uint8Array(32).map((_, i) => (i * 7 + 1) & 0xff);
    if (modern) await writeFile(jwtPath, bytesToHex(jwtSecret));
    const args = [
      builtCliPath(),
      'node',
      '--datadir', datadir,
      '--port', '0',
      '--http.port', '0',
      '--nodial',
      '--genesis', fixture.genesisPath,
      '--networkid', fixture.networkId.toString(),
      ...(modern ? ['--authrpc.port', '0', '--authrpc.jwtsecret', jwtPath] : []),
      ...(this.options.faults ?? []).flatMap((f) => ['--fault', f]),
      ...(options.extraArgs ?? []),
    ];
    const child = ChildTarget.spawn(process.execPath, args);
    const stopAll = async () => {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    };
    try {
      const enodeLine = await child.waitForLine(/^enode: (enode:\/\/\S+)/, START_TIMEOUT_MS, 'its enode line');
      const rpcLine = await child.waitForLine(/^http: (http:\/\/\S+)/, 5_000, 'its http line');
      const authLine = modern ? await child.waitForLine(/^authrpc: (http:\/\/\S+)/, 5_000, 'its authrpc line') : undefined;
      const enode = parseEnode(enodeLine[1]!);
      const probe = await probeTarget(enode.ip, enode.tcpPort, enode.publicKey);
      const capabilities = new Set<TargetCapability>([
        'rpc',
        'dial-out',
        'mining',
        'discv4',
        fixture.profile === 'modern' ? 'profile:modern' : 'profile:legacy',
        ...(modern ? (['engine'] as Requirement[]) : []),
        ...probe.ethVersions,
      ]);
      return {
        description: `reference node (${fixture.profile})${this.options.faults?.length ? ` --fault ${this.options.faults.join(',')}` : ''}`,
        host: enode.ip,
        port: enode.tcpPort,
        udpPort: enode.udpPort,
        publicKey: enode.publicKey,
        enode: enodeLine[1]!,
        rpcUrl: rpcLine[1]!,
        ...(authLine ? { engine: { url: authLine[1]!, jwtSecret } } : {}),
        capabilities,
        fixture,
        announcedCaps: probe.announcedCaps,
        alive: () => child.alive(),
        logTail: () => child.logTail(),
        stop: stopAll,
      };
    } catch (err) {
      await stopAll();
      throw err;
    }
  }
}

const building = new Map<string, Promise<string>>();

/**
 * A datadir whose chain holds fixture blocks 1..prefix, imported once and
 * copied for every instance: importing 1100 executed blocks takes seconds,
 * copying the store takes milliseconds, and the self-check starts the node
 * once per fault. Keyed by the chain file, the prefix and the chain code.
 */
function importedChain(fixture: Fixture, prefix: number): Promise<string> {
  const stat = statSync(fixture.chainPath);
  const key = createHash('sha256')
    .update(`${resolve(fixture.chainPath)}|${stat.size}|${stat.mtimeMs}|${fixture.genesis.hash.join(',')}|${prefix}|${generatorDigest()}`)
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheRoot(), `datadir-${key}`);
  if (existsSync(join(dir, 'chaindata'))) return Promise.resolve(dir);
  let pending = building.get(dir);
  if (!pending) {
    pending = importInto(dir, fixture, prefix).finally(() => building.delete(dir));
    building.set(dir, pending);
  }
  return pending;
}

async function importInto(dir: string, fixture: Fixture, prefix: number): Promise<string> {
  await mkdir(cacheRoot(), { recursive: true });
  const tmp = await mkdtemp(join(cacheRoot(), 'tmp-datadir-'));
  try {
    let chainPath = fixture.chainPath;
    if (prefix < fixture.head.number) {
      chainPath = join(tmp, 'prefix.rlp');
      await writeFile(chainPath, chainPrefixRlp(fixture, prefix, encodeBlock));
    }
    const child = ChildTarget.spawn(process.execPath, [
      builtCliPath(), 'node', '--datadir', join(tmp, 'data'), '--port', '0', '--nodiscover', '--nodial',
      '--genesis', fixture.genesisPath, '--networkid', fixture.networkId.toString(), '--import', chainPath,
    ]);
    try {
      await child.waitForLine(/^enode: /, START_TIMEOUT_MS, 'its enode line after importing the fixture');
    } finally {
      await child.stop();
    }
    await rename(join(tmp, 'data'), dir).catch((err: NodeJS.ErrnoException) => {
      // Another run built the same chain first; theirs is identical.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return dir;
}
