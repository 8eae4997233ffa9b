/**
 * `devp2p-check node`: runs the reference node until SIGINT/SIGTERM.
 * Binds to 127.0.0.1 unless --host says otherwise: it is a test node, and the
 * admin RPC can add peers.
 */
import { isIP } from 'node:net';
import { parseEnode, type Enode } from '../../reference-node/wire/enode.js';
import { Node } from '../../reference-node/node/node.js';
import { loadNodeKey, NodeKeyError, type NodeKeySource } from '../../reference-node/node/node-key.js';
import { DEFAULT_PORT, NetworkEndpoint } from '../../reference-node/node/network.js';
import type { Protocol } from '../../reference-node/p2p/server.js';
import { flagInt, flagString, parseArgs, type ParsedArgs } from '../args.js';
import { UsageError } from '../errors.js';

export const CLIENT_ID = 'devp2p-check/v0.1.0';

const VALUE_FLAGS = ['datadir', 'port', 'host', 'nodekey', 'nodekeyfile', 'bootnodes', 'maxpeers', 'static', 'trusted', 'http.port'];
const SWITCHES = ['nodiscover', 'nodial'];

export interface RunningNode {
  node: Node<Protocol>;
  network: NetworkEndpoint;
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
  const node = new Node<Protocol>({ p2p: network, httpPort: flagInt(args, 'http.port', 0, 65535) });
  await node.start();
  return { node, network, stop: () => node.stop() };
}

export async function run(argv: string[]): Promise<number> {
  const running = await startNodeFromArgs(argv);
  console.log(`enode: ${running.network.enode}`);
  if (running.node.httpPort !== undefined) console.log(`http: http://127.0.0.1:${running.node.httpPort}`);
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
