/**
 * Test support: @ethereumjs/client as a separate process, an independent
 * eth node for interop tests and the sync benchmark. It follows
 * ../shared/notes/ethereumjs-as-peer.md: discovery off (it would otherwise
 * ping whatever addresses it hears of), loopback everywhere, started from a
 * scratch directory (it writes log and audit files into its working
 * directory), stopped with SIGKILL (safe, and its graceful stop takes ~10 s).
 * Callers must register stop() for cleanup, even when a test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '../reference-node/wire/bytes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Works from the sources (vitest) and from dist/ (benchmarks). */
const repoRoot = root.endsWith('/dist') ? resolve(root, '..') : root;
const CLI = join(repoRoot, 'node_modules/@ethereumjs/client/dist/esm/bin/cli.js');
const NODELAY = join(repoRoot, 'test-support/ethereumjs-nodelay.cjs');

export interface EthereumjsClientOptions {
  /** A geth-style genesis; its config.chainId is the network id. */
  genesisJson: object;
  /** Seal Clique blocks with this key (it must be a signer in the genesis extraData). Its miner includes no txs. */
  mine?: { privateKey: Uint8Array };
  /** Preload a chain (concatenated RLP blocks). */
  loadBlocksFromRlp?: Uint8Array;
  /** TCP_NODELAY on its sockets (see ethereumjs-nodelay.cjs). */
  noDelay?: boolean;
  extraArgs?: string[];
  startTimeoutMs?: number;
}

export interface EthereumjsClient {
  /** enode://id@127.0.0.1:port */
  enode: string;
  port: number;
  rpcPort: number;
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  blockNumber(): Promise<bigint>;
  /** Resolves once its head is at `n` or above. */
  waitForBlock(n: bigint, timeoutMs: number): Promise<void>;
  /** Makes it dial `enode` (admin_addPeer). */
  addPeer(enode: string): Promise<unknown>;
  logs(): string;
  stop(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

export async function startEthereumjsClient(options: EthereumjsClientOptions): Promise<EthereumjsClient> {
  const dir = await mkdtemp(join(tmpdir(), 'devp2p-check-ethjs-'));
  let child: ChildProcess | undefined;
  let out = '';
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await writeFile(join(dir, 'genesis.json'), JSON.stringify(options.genesisJson));
    const port = await freeLoopbackPort();
    const rpcPort = await freeLoopbackPort();
    const args = [
      ...(options.noDelay ? ['--require', NODELAY] : []),
      CLI,
      '--gethGenesis', join(dir, 'genesis.json'),
      '--dataDir', join(dir, 'data'),
      '--port', String(port),
      '--extIP', '127.0.0.1',
      '--discV4=false',
      '--discDns=false',
      '--rpc', '--rpcAddr', '127.0.0.1', '--rpcPort', String(rpcPort),
      '--logLevel', 'info',
      '--logFile', 'false',
    ];
    if (options.mine) {
      await writeFile(join(dir, 'signer.key'), bytesToHex(options.mine.privateKey));
      args.push('--mine', '--unlock', join(dir, 'signer.key'), '--isSingleNode');
    }
    if (options.loadBlocksFromRlp) {
      await writeFile(join(dir, 'chain.rlp'), options.loadBlocksFromRlp);
      args.push('--loadBlocksFromRlp', join(dir, 'chain.rlp'));
    }
    args.push(...(options.extraArgs ?? []));
    child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
    child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));

    const rpc = async (method: string, params: unknown[] = []): Promise<unknown> => {
      const res = await fetch(`http://127.0.0.1:${rpcPort}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      });
      const json = (await res.json()) as { result?: unknown; error?: { message: string } };
      if (json.error) throw new Error(`ethereumjs ${method}: ${json.error.message}`);
      return json.result;
    };
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    let info: { enode?: string } | undefined;
    while (info?.enode === undefined) {
      if (child.exitCode !== null) throw new Error(`ethereumjs client exited (${child.exitCode}): ${out.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`ethereumjs client did not answer RPC in time: ${out.slice(-3000)}`);
      info = (await rpc('admin_nodeInfo').catch(() => undefined)) as { enode?: string } | undefined;
      if (info?.enode === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    const id = /^enode:\/\/([0-9a-f]{128})@/.exec(info.enode)?.[1];
    if (!id) throw new Error(`ethereumjs client reported an odd enode: ${info.enode}`);
    const enode = `enode://${id}@127.0.0.1:${port}`;
    const blockNumber = async () => BigInt((await rpc('eth_blockNumber')) as string);
    return {
      enode,
      port,
      rpcPort,
      rpc,
      blockNumber,
      async waitForBlock(n, timeoutMs) {
        const end = Date.now() + timeoutMs;
        while ((await blockNumber()) < n) {
          if (Date.now() > end) throw new Error(`ethereumjs client below block ${n} after ${timeoutMs} ms (at ${await blockNumber()}): ${out.slice(-2000)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      addPeer(target) {
        const m = /^enode:\/\/([0-9a-f]{128})@127\.0\.0\.1:(\d+)/.exec(target);
        if (!m) throw new Error(`addPeer: only loopback enodes, got ${target}`);
        return rpc('admin_addPeer', [{ address: '127.0.0.1', tcpPort: Number(m[2]), udpPort: Number(m[2]) }]);
      },
      logs: () => out,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
