/**
 * Any client launched from a command template (`--target cmd:"..."`). The
 * template gets {genesis} {chain} {datadir} {port} {rpcport} {authport}
 * {jwtsecret} filled in, runs under /bin/sh in its own process group, and is
 * ready once its RLPx port completes a handshake and (with {rpcport}) its RPC
 * reports the fixture's head, as the docker: target waits. Its enode comes from its
 * output (the first enode://<id>@ it prints) or from admin_nodeInfo.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBlock } from '../../reference-node/wire/block.js';
import { bytesToHex, hexToBytes } from '../../reference-node/wire/bytes.js';
import { parseEnode } from '../../reference-node/wire/enode.js';
import type { Requirement } from '../core/test.js';
import { chainPrefixRlp, type Fixture } from '../fixture/fixture.js';
import { ChildTarget } from './child-process.js';
import { freePort, mentionsPortInUse, retryOnPortRace } from './free-port.js';
import { probeTarget, type ProbeResult } from './probe.js';
import { rpcCall } from './rpc-client.js';
import { waitForRpcHead } from './rpc-ready.js';
import type { LaunchOptions, RunningTarget, TargetProvider } from './target.js';

const START_TIMEOUT_MS = 180_000;
export const PLACEHOLDERS = ['genesis', 'chain', 'datadir', 'port', 'rpcport', 'authport', 'jwtsecret'] as const;

export class CommandTargetProvider implements TargetProvider {
  readonly canLaunchFresh = true;

  constructor(readonly template: string) {
    const unknown = [...template.matchAll(/\{([a-z]+)\}/g)].map((m) => m[1]!).filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
    if (unknown.length > 0) throw new Error(`unknown placeholder {${unknown[0]}} in the command (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
    if (!template.includes('{port}')) throw new Error('the command must take {port}: the client has to listen where we look for it');
  }

  get description(): string {
    return `cmd: ${this.template.length > 80 ? `${this.template.slice(0, 77)}...` : this.template}`;
  }

  start(fixture: Fixture): Promise<RunningTarget> {
    return this.launch(fixture, {});
  }

  launch(fixture: Fixture, options: LaunchOptions): Promise<RunningTarget> {
    return retryOnPortRace(() => this.launchOnce(fixture, options), mentionsPortInUse);
  }

  private async launchOnce(fixture: Fixture, options: LaunchOptions): Promise<RunningTarget> {
    const dir = await mkdtemp(join(tmpdir(), 'devp2p-check-cmd-'));
    let child: ChildTarget | undefined;
    const stop = async () => {
      await child?.stop();
      await rm(dir, { recursive: true, force: true });
    };
    try {
      let chain = fixture.chainPath;
      if (options.chainPrefix !== undefined && options.chainPrefix < fixture.head.number) {
        chain = join(dir, 'chain.rlp');
        await writeFile(chain, chainPrefixRlp(fixture, options.chainPrefix, encodeBlock));
      }
      const secret = new Uint8Array(32).map((_, i) => (i * 13 + 5) & 0xff);
      const jwtPath = join(dir, 'jwtsecret');
      await writeFile(jwtPath, `0x${bytesToHex(secret)}`);
      const values: Record<(typeof PLACEHOLDERS)[number], string> = {
        genesis: fixture.genesisPath,
        chain,
        datadir: join(dir, 'data'),
        port: String(await freePort()),
        rpcport: String(await freePort()),
        authport: String(await freePort()),
        jwtsecret: jwtPath,
      };
      const command = this.template.replace(/\{([a-z]+)\}/g, (_, name: keyof typeof values) => values[name]);
      child = ChildTarget.spawn('/bin/sh', ['-c', command]);
      const rpcUrl = this.template.includes('{rpcport}') ? `http://127.0.0.1:${values.rpcport}` : undefined;
      const engineUrl = this.template.includes('{authport}') ? `http://127.0.0.1:${values.authport}` : undefined;
      const publicKey = await findPublicKey(child, rpcUrl);
      const port = Number(values.port);
      const probe = await probeUntilReady(child, publicKey, port);
      if (rpcUrl) {
        const running = child;
        await waitForRpcHead(rpcUrl, Math.min(options.chainPrefix ?? fixture.head.number, fixture.head.number), Date.now() + START_TIMEOUT_MS, {
          checkAlive: () => {
            if (!running.alive()) throw new Error(`the client exited (${running.exitText()}); last output:\n${running.logTail(20)}`);
          },
          timeoutError: (message) => new Error(message),
        });
      }
      const capabilities = new Set<Requirement>([
        ...probe.ethVersions,
        fixture.profile === 'modern' ? 'profile:modern' : 'profile:legacy',
        'discv4',
        ...(rpcUrl ? (['rpc', 'dial-out'] as Requirement[]) : []),
        ...(engineUrl ? (['engine'] as Requirement[]) : []),
      ]);
      const enode = `enode://${bytesToHex(publicKey)}@127.0.0.1:${port}`;
      const target: RunningTarget = {
        description: `cmd (${fixture.profile})`,
        host: '127.0.0.1',
        port,
        udpPort: port,
        publicKey,
        enode,
        ...(rpcUrl ? { rpcUrl } : {}),
        ...(engineUrl ? { engine: { url: engineUrl, jwtSecret: secret } } : {}),
        capabilities,
        fixture,
        announcedCaps: probe.announcedCaps,
        alive: () => child!.alive(),
        logTail: () => child!.logTail(),
        stop,
      };
      return target;
    } catch (err) {
      await stop();
      throw err;
    }
  }
}

async function findPublicKey(child: ChildTarget, rpcUrl: string | undefined): Promise<Uint8Array> {
  const fromOutput = child.waitForLine(/enode:\/\/([0-9a-fA-F]{128})@/, START_TIMEOUT_MS, 'an enode URL in its output').then((m) => hexToBytes(m[1]!.toLowerCase()));
  if (!rpcUrl) return fromOutput;
  const fromRpc = (async () => {
    const end = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < end && child.alive()) {
      try {
        const info = (await rpcCall(rpcUrl, 'admin_nodeInfo', [], { timeoutMs: 2_000 })) as { enode?: string };
        if (info?.enode) return parseEnode(info.enode.replace(/\?.*$/, '')).publicKey;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    return new Promise<Uint8Array>(() => undefined);
  })();
  return Promise.race([fromOutput, fromRpc]);
}

/** Readiness is a completed handshake, not an open port: clients open ports before they can serve. */
async function probeUntilReady(child: ChildTarget, publicKey: Uint8Array, port: number): Promise<ProbeResult> {
  const end = Date.now() + START_TIMEOUT_MS;
  let last: Error | undefined;
  while (Date.now() < end) {
    if (!child.alive()) throw new Error(`the client exited (${child.exitText()}); last output:\n${child.logTail(20)}`);
    try {
      return await probeTarget('127.0.0.1', port, publicKey, 5_000);
    } catch (err) {
      last = err as Error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`no RLPx handshake on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms (${last?.message ?? ''})`);
}
