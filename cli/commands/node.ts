/**
 * `devp2p-check node`: runs the reference node until SIGINT/SIGTERM.
 * Binds to 127.0.0.1 unless --host says otherwise: it is a test node, and the
 * admin RPC can add peers.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_AUTH_RPC_PORT } from '../../reference-node/rpc/auth-http-server.js';
import { JwtSecretError, loadOrCreateJwtSecret, readJwtSecretFile } from '../../reference-node/rpc/jwt.js';
import { loadGenesisFile, type Genesis } from '../../reference-node/chain/genesis.js';
import { BlockValidationError, GenesisError } from '../../reference-node/chain/errors.js';
import { EthService } from '../../reference-node/node/eth-service.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import { MinerError } from '../../reference-node/miner/errors.js';
import { parseEnode, type Enode } from '../../reference-node/wire/enode.js';
import { Node } from '../../reference-node/node/node.js';
import { loadNodeKey, NodeKeyError, type NodeKeySource } from '../../reference-node/node/node-key.js';
import { DEFAULT_PORT, NetworkEndpoint } from '../../reference-node/node/network.js';
import type { Protocol } from '../../reference-node/p2p/server.js';
import { flagInt, flagString, parseArgs, type ParsedArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { activateFaults, UnknownFaultError } from '../../reference-node/faults/index.js';

export const CLIENT_ID = 'devp2p-check/v0.1.0';

const VALUE_FLAGS = ['datadir', 'port', 'host', 'nodekey', 'nodekeyfile', 'bootnodes', 'maxpeers', 'static', 'trusted', 'http.port', 'genesis', 'import', 'networkid', 'authrpc.port', 'authrpc.jwtsecret', 'miner.signer', 'dev.period'];
const SWITCHES = ['nodiscover', 'nodial', 'mine'];

export interface RunningNode {
  node: Node<Protocol>;
  network: NetworkEndpoint;
  /** Present when the node runs a chain (--genesis). */
  eth?: EthService;
  stop(): Promise<void>;
}

function enodeList(args: ParsedArgs, flag: string): Enode[] {
  const text = flagString(args, flag);
  if (text === undefined) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((url, i) => {
      try {
        return parseEnode(url);
      } catch (err) {
        throw new UsageError(`--${flag} entry ${i + 1}: ${(err as Error).message}`);
      }
    });
}

function keySource(args: ParsedArgs): NodeKeySource {
  const hex = flagString(args, 'nodekey');
  const file = flagString(args, 'nodekeyfile');
  const datadir = flagString(args, 'datadir');
  if (hex !== undefined && file !== undefined) throw new UsageError('give --nodekey or --nodekeyfile, not both');
  if (hex !== undefined) return { hex };
  if (file !== undefined) return { file };
  if (datadir !== undefined) return { datadir };
  return { ephemeral: true };
}

/** Parses flags and starts a node; the caller owns stopping it. */
export async function startNodeFromArgs(argv: string[]): Promise<RunningNode> {
  const args = parseArgs(argv, { values: VALUE_FLAGS, switches: SWITCHES });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const host = flagString(args, 'host') ?? '127.0.0.1';
  if (isIP(host) === 0) throw new UsageError(`--host must be an IP address, got "${host}"`);
  let privateKey: Uint8Array;
  try {
    privateKey = await loadNodeKey(keySource(args));
  } catch (err) {
    if (err instanceof NodeKeyError) throw new UsageError(err.message);
    throw err;
  }
  const network = new NetworkEndpoint({
    privateKey,
    clientId: CLIENT_ID,
    host,
    port: flagInt(args, 'port', 0, 65535) ?? DEFAULT_PORT,
    datadir: flagString(args, 'datadir'),
    maxPeers: flagInt(args, 'maxpeers', 0, 100_000),
    bootnodes: enodeList(args, 'bootnodes'),
    staticNodes: enodeList(args, 'static'),
    trustedNodes: enodeList(args, 'trusted'),
    noDiscover: args.flags.has('nodiscover'),
    noDial: args.flags.has('nodial'),
  });
  const authRpc = await authRpcFromArgs(args);
  const node = new Node<Protocol>({ p2p: network, httpPort: flagInt(args, 'http.port', 0, 65535), ...(authRpc ? { authRpc } : {}) });
  const eth = await ethServiceFromArgs(args);
  if (eth) node.register(eth);
  try {
    await node.start();
  } catch (err) {
    // A failed start stops the services it started; the chain was opened before that.
    if (node.state !== 'running') await eth?.stop().catch(() => undefined);
    throw err;
  }
  return { node, network, ...(eth ? { eth } : {}), stop: () => node.stop() };
}

/**
 * --authrpc.port / --authrpc.jwtsecret: the Engine API endpoint, on when
 * either is given. Without a secret file the secret is <datadir>/jwtsecret,
 * created on first use as geth does.
 */
async function authRpcFromArgs(args: ParsedArgs): Promise<{ port: number; secret: Uint8Array } | undefined> {
  const port = flagInt(args, 'authrpc.port', 0, 65535);
  const secretPath = flagString(args, 'authrpc.jwtsecret');
  if (port === undefined && secretPath === undefined) return undefined;
  if (flagString(args, 'genesis') === undefined) throw new UsageError('--authrpc.* needs --genesis (the Engine API drives a chain)');
  try {
    if (secretPath !== undefined) return { port: port ?? DEFAULT_AUTH_RPC_PORT, secret: await readJwtSecretFile(secretPath) };
    const datadir = flagString(args, 'datadir');
    if (datadir === undefined) throw new UsageError('--authrpc.port needs --authrpc.jwtsecret FILE, or --datadir to keep a generated secret in');
    const { secret, created } = await loadOrCreateJwtSecret(join(datadir, 'jwtsecret'));
    if (created) console.log(`authrpc: wrote a new JWT secret to ${join(datadir, 'jwtsecret')}`);
    return { port: port ?? DEFAULT_AUTH_RPC_PORT, secret };
  } catch (err) {
    if (err instanceof JwtSecretError) throw new UsageError(`--authrpc.jwtsecret: ${err.message}`);
    throw err;
  }
}

/** --mine --miner.signer FILE: the Clique signer's key, a hex file as --nodekeyfile takes. */
async function minerFromArgs(args: ParsedArgs): Promise<{ signerKey: Uint8Array } | undefined> {
  const keyFile = flagString(args, 'miner.signer');
  if (!args.flags.has('mine')) {
    if (keyFile !== undefined) throw new UsageError('--miner.signer needs --mine');
    return undefined;
  }
  if (keyFile === undefined) throw new UsageError('--mine needs --miner.signer FILE (the Clique signer key, hex)');
  try {
    return { signerKey: await loadNodeKey({ file: keyFile }) };
  } catch (err) {
    if (err instanceof NodeKeyError) throw new UsageError(`--miner.signer: ${err.message}`);
    throw err;
  }
}

/** --genesis, --import and --networkid: the chain this node keeps and serves. */
async function ethServiceFromArgs(args: ParsedArgs): Promise<EthService | undefined> {
  const genesisPath = flagString(args, 'genesis');
  const importPath = flagString(args, 'import');
  const networkId = flagString(args, 'networkid');
  if (genesisPath === undefined) {
    const needsChain = ['import', 'networkid', 'miner.signer', 'dev.period'].filter((f) => flagString(args, f) !== undefined);
    if (args.flags.has('mine')) needsChain.push('mine');
    if (needsChain.length > 0) throw new UsageError(`${needsChain.map((f) => `--${f}`).join(', ')} need${needsChain.length === 1 ? 's' : ''} --genesis`);
    return undefined;
  }
  let genesis: Genesis;
  try {
    genesis = await loadGenesisFile(genesisPath);
  } catch (err) {
    if (err instanceof GenesisError) throw new UsageError(`--genesis ${genesisPath}: ${err.message}`);
    throw err;
  }
  let importRlp: Uint8Array | undefined;
  if (importPath !== undefined) {
    try {
      importRlp = new Uint8Array(await readFile(importPath));
    } catch (err) {
      throw new UsageError(`--import ${importPath}: ${(err as Error).message}`);
    }
  }
  if (networkId !== undefined && !/^[1-9][0-9]*$/.test(networkId)) throw new UsageError(`--networkid must be a positive decimal integer, got "${networkId}"`);
  const datadir = flagString(args, 'datadir');
  const mine = await minerFromArgs(args);
  const devPeriod = flagInt(args, 'dev.period', 0, 86_400);
  if (mine && devPeriod !== undefined) throw new UsageError('give --mine (Clique) or --dev.period (post-merge), not both');
  try {
    return await EthService.create({
      ...(mine ? { mine } : {}),
      ...(devPeriod !== undefined ? { devPeriod } : {}),
      genesis,
      ...(datadir !== undefined ? { datadir } : {}),
      ...(importRlp !== undefined ? { importRlp } : {}),
      ...(networkId !== undefined ? { networkId: BigInt(networkId) } : {}),
      log: (line) => console.log(line),
    });
  } catch (err) {
    if (err instanceof DecodeError || err instanceof BlockValidationError) throw new UsageError(`--import ${importPath}: ${err.message}`);
    if (err instanceof MinerError) throw new UsageError(devPeriod !== undefined ? `--dev.period: ${err.message}` : `--mine: ${err.message}`);
    throw err;
  }
}

/**
 * `--fault a,b` (repeatable) plants protocol bugs for the conformance
 * self-check. Only the CLI process takes it: faults are process-wide, so an
 * in-process node (startNodeFromArgs) never gets one.
 */
function takeFaults(argv: string[]): { faults: string[]; rest: string[] } {
  const faults: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--fault' || arg.startsWith('--fault=')) {
      const value = arg === '--fault' ? argv[++i] : arg.slice('--fault='.length);
      if (value === undefined || value === '') throw new UsageError('--fault needs a fault name (see "devp2p-check conform --list-faults")');
      faults.push(...value.split(',').filter((f) => f !== ''));
    } else rest.push(arg);
  }
  return { faults, rest };
}

export async function run(argv: string[]): Promise<number> {
  const { faults, rest } = takeFaults(argv);
  try {
    activateFaults(faults);
  } catch (err) {
    if (err instanceof UnknownFaultError) throw new UsageError(err.message);
    throw err;
  }
  if (faults.length > 0) console.log(`faults: ${faults.join(', ')} (planted bugs, for the conformance self-check)`);
  const running = await startNodeFromArgs(rest);
  console.log(`enode: ${running.network.enode}`);
  if (running.node.httpPort !== undefined) console.log(`http: http://127.0.0.1:${running.node.httpPort}`);
  if (running.node.authPort !== undefined) console.log(`authrpc: http://127.0.0.1:${running.node.authPort}`);
  if (running.eth) {
    const { chain, versions } = running.eth;
    const head = chain.head();
    console.log(`chain: network ${chain.networkId}, head ${head.number} 0x${bytesToHex(head.hash)}, eth/${versions.join(',')}`);
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      console.log(`${signal}: stopping`);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await running.stop();
  return 0;
}
