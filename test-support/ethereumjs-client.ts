/**
 * @ethereumjs/client (the dev dependency) as an interop peer on loopback: a
 * child process with its own scratch directory, reached over JSON-RPC.
 * See ../shared/notes/ethereumjs-as-peer.md for why each flag is there.
 *
 * Loopback only: discv4 and DNS discovery are off, the DNS server is
 * 127.0.0.1, the advertised IP is 127.0.0.1, a geth genesis gives it no
 * bootnodes, and addPeer refuses any address but 127.0.0.1. (The client still
 * binds its RLPx/UDP port on 0.0.0.0, whatever it is told.)
 *
 * Every started client must be stopped: callers register `stop` in
 * afterEach/afterAll (as the tests in reference-node/node do). A process-exit
 * hook SIGKILLs any client a crashed test run left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { cliqueLondonGenesis } from '../reference-node/chain/test-fixtures.js';
import { bytesToHex } from '../reference-node/wire/bytes.js';
import { parseEnode } from '../reference-node/wire/enode.js';

const LOOPBACK = '127.0.0.1';
/** The genesis file's base name is the client's chain name, and so its datadir subfolder. */
const GENESIS_FILE = 'genesis.json';
const CHAIN_NAME = 'genesis';
const LOG_LIMIT = 2 * 1024 * 1024;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

export interface EthereumjsClientOptions {
  /** geth-style genesis.json content. Its `config.chainId` is the network ID. */
  genesisJson: object;
  /** Datadir to use (kept by stop, so a restart can reuse it); default a folder in the scratch dir (removed by stop). */
  dataDir?: string;
  /** Seal Clique blocks with this key (--mine --unlock). Its miner includes no transactions. */
  mine?: { privateKey: Uint8Array };
  /** Blocks (concatenated RLP, as chain.rlp) imported at start (--loadBlocksFromRlp). */
  loadBlocksFromRlp?: Uint8Array;
  /** RLPx TCP and discv4 UDP port; default a free one. */
  port?: number;
  /** JSON-RPC port; default a free one. */
  rpcPort?: number;
  /** Node key, written into its config database before start (it has no flag for one); default: it makes its own. */
  nodeKey?: Uint8Array;
  /** Console log level; default 'info' (logs() then shows imports and sync). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Appended to the command line. Must keep everything on loopback. */
  extraArgs?: string[];
  /** TCP_NODELAY on its sockets (default true): without it each request round trip waits 40–90 ms for Nagle. */
  noDelay?: boolean;
  /** How long it may take to answer admin_nodeInfo with an enode; default 30 s. */
  startTimeoutMs?: number;
}

export interface EthereumjsClient {
  /** `enode://<id>@127.0.0.1:<port>`. */
  readonly enode: string;
  /** 128 hex characters, no 0x. */
  readonly nodeId: string;
  readonly port: number;
  readonly rpcPort: number;
  readonly dataDir: string;
  /** Milliseconds from spawn to a ready RPC with an enode. */
  readonly startMs: number;
  /** A JSON-RPC call; a JSON-RPC error is thrown as EthereumjsRpcError. */
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  blockNumber(): Promise<bigint>;
  /** Resolves once its head number is at least n; rejects after timeoutMs or if it exits. */
  waitForBlock(n: bigint, timeoutMs: number): Promise<void>;
  /**
   * admin_addPeer: it pings the endpoint over discv4 and, on a pong, dials
   * its TCP port. Only 127.0.0.1 is accepted. Resolves with the RPC's answer.
   */
  addPeer(target: string | { address: '127.0.0.1'; udpPort: number; tcpPort: number }): Promise<boolean>;
  /** SIGKILL (safe for it, see the notes), wait for the exit, remove the scratch dir. Idempotent. */
  stop(): Promise<void>;
  /** Its stdout and stderr so far (the last 2 MiB). */
  logs(): string;
  /** Whether the process has exited (on its own or by stop). */
  readonly exited: boolean;
}

export class EthereumjsRpcError extends Error {
  override readonly name = 'EthereumjsRpcError';
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message} (${code})`);
  }
}

export class EthereumjsClientStartError extends Error {
  override readonly name = 'EthereumjsClientStartError';
}

/** Private key 1; its address is the Clique signer of ethereumjsInteropGenesis. */
export const INTEROP_SIGNER_KEY: Uint8Array = (() => {
  const key = new Uint8Array(32);
  key[31] = 1;
  return key;
})();

/**
 * The Clique London genesis (period 1, one signer = INTEROP_SIGNER_KEY, which
 * is also funded) the interop tests share, so that our Chain and the client
 * start from the same block. It is chain/test-fixtures' cliqueLondonGenesis,
 * whose alloc also carries a contract with code, nonce and storage, changed
 * in two ways that leave the state (and so the genesis hash) as geth builds it:
 * - each storage key is written out to 32 bytes: the client refuses shorter
 *   keys ("Storage key must be 32 bytes long"), which geth left-pads;
 * - zero-valued slots are left out (geth stores nothing for them): the client
 *   builds a genesis with one, but its miner then fails on the first block
 *   ("State trie does not contain state root") and the client shuts down.
 */
export function ethereumjsInteropGenesis(): Record<string, unknown> {
  const genesis = cliqueLondonGenesis();
  const alloc = genesis['alloc'] as Record<string, { storage?: Record<string, string> }>;
  for (const account of Object.values(alloc)) {
    if (!account.storage) continue;
    account.storage = Object.fromEntries(
      Object.entries(account.storage)
        .filter(([, value]) => BigInt(value) !== 0n)
        .map(([key, value]) => [`0x${key.replace(/^0x/, '').padStart(64, '0')}`, value]),
    );
  }
  return genesis;
}

// ---- paths ----------------------------------------------------------------

function findRepoRoot(from: string): string {
  // Works from the sources and from dist/ (benchmarks run compiled).
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json')) && existsSync(resolve(dir, 'test-support'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}
const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const clientEntry = resolve(repoRoot, 'node_modules/@ethereumjs/client/dist/esm/bin/cli.js');
/** Always loaded: gives the client one copy of each @ethereumjs package (see the file). */
const resolvePreload = resolve(repoRoot, 'test-support/ethereumjs-client-preload.mjs');
const noDelayPreload = resolve(repoRoot, 'test-support/ethereumjs-nodelay.cjs');

// ---- leftovers --------------------------------------------------------------

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}

// ---- ports ------------------------------------------------------------------

/** A port free for both TCP and UDP on 127.0.0.1 just now (the client may still lose a race for it; start retries). */
export async function freeLoopbackPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((res, rej) => {
      const server = createServer();
      server.once('error', rej);
      server.listen(0, LOOPBACK, () => {
        const address = server.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        server.close(() => res(p));
      });
    });
    const udpFree = await new Promise<boolean>((res) => {
      const socket = createSocket('udp4');
      socket.once('error', () => res(false));
      socket.bind(port, LOOPBACK, () => socket.close(() => res(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no loopback port free for both TCP and UDP after 20 tries');
}

// ---- start ------------------------------------------------------------------

export async function startEthereumjsClient(options: EthereumjsClientOptions): Promise<EthereumjsClient> {
  // Ports we chose may be taken between the probe and its bind; the client
  // then carries on without a listener, so such a start is retried.
  const attempts = options.port === undefined || options.rpcPort === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortInUseError)) throw err;
    }
  }
  throw lastError;
}

class PortInUseError extends EthereumjsClientStartError {}

async function startOnce(options: EthereumjsClientOptions): Promise<EthereumjsClient> {
  if (!existsSync(clientEntry)) throw new EthereumjsClientStartError(`@ethereumjs/client is not installed (${clientEntry})`);
  const scratch = await mkdtemp(join(tmpdir(), 'ethjs-client-'));
  let child: ChildProcess | undefined;
  try {
    const port = options.port ?? (await freeLoopbackPort());
    let rpcPort = options.rpcPort ?? (await freeLoopbackPort());
    while (rpcPort === port) rpcPort = await freeLoopbackPort();
    const dataDir = options.dataDir ?? join(scratch, 'data');

    await writeFile(join(scratch, GENESIS_FILE), JSON.stringify(options.genesisJson));
    if (options.nodeKey) await seedNodeKey(dataDir, options.nodeKey);
    const args = [
      '--gethGenesis', GENESIS_FILE,
      '--dataDir', dataDir,
      '--port', String(port),
      '--extIP', LOOPBACK,
      '--discV4=false',
      '--discDns=false',
      '--dnsAddr', LOOPBACK,
      '--rpc', '--rpcAddr', LOOPBACK, '--rpcPort', String(rpcPort),
      '--logLevel', options.logLevel ?? 'info',
      // It still writes `.<date>false` and an audit file into the cwd: the scratch dir.
      '--logFile', 'false',
    ];
    if (options.mine) {
      if (options.mine.privateKey.length !== 32) throw new RangeError('mine.privateKey must be 32 bytes');
      await writeFile(join(scratch, 'signer.key'), bytesToHex(options.mine.privateKey), { mode: 0o600 });
      args.push('--mine', '--unlock', 'signer.key');
    }
    if (options.loadBlocksFromRlp) {
      await writeFile(join(scratch, 'chain.rlp'), options.loadBlocksFromRlp);
      args.push('--loadBlocksFromRlp', 'chain.rlp');
    }
    args.push(...(options.extraArgs ?? []));

    const nodeArgs = ['--import', resolvePreload];
    if (options.noDelay ?? true) nodeArgs.push('--require', noDelayPreload);
    const started = performance.now();
    const spawned = spawn(process.execPath, [...nodeArgs, clientEntry, ...args], {
      cwd: scratch,
      env: { ...process.env, ETHJS_CLIENT_ENTRY: clientEntry, DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = spawned;
    track(spawned);
    let log = '';
    const append = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      if (log.length > LOG_LIMIT) log = log.slice(log.length - LOG_LIMIT);
    };
    spawned.stdout!.on('data', append);
    spawned.stderr!.on('data', append);
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((res) =>
      spawned.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? -1 : null);
        res();
      }),
    );
    const isExited = () => exitCode !== undefined;
    const logs = () => log;

    const rpc = (method: string, params: unknown[] = []) => callRpc(rpcPort, method, params);
    const nodeInfo = await waitUntilReady(rpc, isExited, logs, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    const startMs = performance.now() - started;
    const nodeId = nodeInfo.id;
    const enode = `enode://${nodeId}@${LOOPBACK}:${port}`;

    let stopping: Promise<void> | undefined;
    const client: EthereumjsClient = {
      enode,
      nodeId,
      port,
      rpcPort,
      dataDir,
      startMs,
      rpc,
      logs,
      get exited() {
        return isExited();
      },
      async blockNumber() {
        return BigInt(String(await rpc('eth_blockNumber')));
      },
      async waitForBlock(n, timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        let last: bigint | undefined;
        for (;;) {
          if (isExited()) throw new Error(`ethereumjs client exited while waiting for block ${n}\n${tail(log)}`);
          last = await client.blockNumber();
          if (last >= n) return;
          if (Date.now() > deadline) throw new Error(`ethereumjs client at block ${last}, not ${n}, after ${timeoutMs} ms\n${tail(log)}`);
          await sleep(200);
        }
      },
      async addPeer(target) {
        const endpoint = typeof target === 'string' ? endpointOfEnode(target) : target;
        if (endpoint.address !== LOOPBACK) throw new RangeError(`addPeer: only ${LOOPBACK} is allowed, not ${endpoint.address}`);
        return (await rpc('admin_addPeer', [endpoint])) === true;
      },
      stop() {
        stopping ??= (async () => {
          if (!isExited()) spawned.kill('SIGKILL');
          await exited;
          await rm(scratch, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
    return client;
  } catch (err) {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((res) => child!.once('exit', res));
      child.kill('SIGKILL');
      await gone;
    }
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

interface NodeInfo {
  id: string;
  enode: string;
}

async function waitUntilReady(
  rpc: (method: string) => Promise<unknown>,
  isExited: () => boolean,
  logs: () => string,
  timeoutMs: number,
): Promise<NodeInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = logs();
    if (/EADDRINUSE/.test(log)) throw new PortInUseError(`ethereumjs client: a port was taken\n${tail(log)}`);
    if (isExited()) throw new EthereumjsClientStartError(`ethereumjs client exited during start\n${tail(log)}`);
    try {
      const info = (await rpc('admin_nodeInfo')) as Partial<NodeInfo> | null;
      if (info && typeof info.enode === 'string' && typeof info.id === 'string' && /^[0-9a-f]{128}$/.test(info.id)) {
        return { id: info.id, enode: info.enode };
      }
    } catch {
      // RPC not up yet.
    }
    if (Date.now() > deadline) throw new EthereumjsClientStartError(`ethereumjs client not ready after ${timeoutMs} ms\n${tail(logs())}`);
    await sleep(POLL_MS);
  }
}

async function callRpc(rpcPort: number, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(`http://${LOOPBACK}:${rpcPort}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
  if (body.error) throw new EthereumjsRpcError(method, body.error.code, body.error.message);
  return body.result;
}

/** Its config database holds the node key under `config:client_key` (Config.getClientKey). */
async function seedNodeKey(dataDir: string, key: Uint8Array): Promise<void> {
  if (key.length !== 32) throw new RangeError('nodeKey must be 32 bytes');
  const dir = join(dataDir, CHAIN_NAME, 'config');
  await mkdir(dir, { recursive: true });
  const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  try {
    await db.put('config:client_key', key);
  } finally {
    await db.close();
  }
}

function endpointOfEnode(url: string): { address: string; udpPort: number; tcpPort: number } {
  const node = parseEnode(url);
  return { address: node.ip, udpPort: node.udpPort, tcpPort: node.tcpPort };
}

function tail(log: string, lines = 40): string {
  return log.split('\n').slice(-lines).join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}
