/**
 * The node command as a user runs it: a child process from the built CLI
 * (npm test builds first), its enode line, JSON-RPC, and a clean stop on
 * SIGINT and SIGTERM.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnode } from '../../reference-node/wire/enode.js';
import { startNodeFromArgs } from './node.js';
import { UsageError } from '../errors.js';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/bin.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function startCli(args: string[]) {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build (npm test does it first)`);
  const child = spawn(process.execPath, [bin, 'node', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const line = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${re} in: ${out}`)), 10_000);
      const check = () => {
        const m = out.match(re);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(m);
        }
      };
      child.stdout!.on('data', check);
      check();
    });
  return { child, exited, line, output: () => out };
}

async function rpc(port: string, method: string, params: unknown[] = []) {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

describe('devp2p-check node', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('prints its enode, serves admin_nodeInfo, and stops cleanly on %s', async (signal) => {
    const cli = startCli(['--port', '0', '--http.port', '0', '--nodiscover']);
    const [, enode] = await cli.line(/enode: (enode:\/\/\S+)/);
    const [, httpPort] = await cli.line(/http: http:\/\/127\.0\.0\.1:(\d+)/);
    const info = (await rpc(httpPort!, 'admin_nodeInfo')) as { enode: string; id: string; ports: { listener: number } };
    expect(info.enode).toBe(enode);
    expect(info.ports.listener).toBe(parseEnode(enode!).tcpPort);
    expect(parseEnode(enode!).udpPort).toBe(0); // --nodiscover: no UDP endpoint, as geth's discport=0
    expect(await rpc(httpPort!, 'net_peerCount')).toBe('0x0');
    cli.child.kill(signal);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain(`${signal}: stopping`);
  });

  it('connects two nodes through admin_addPeer', async () => {
    const a = await startNodeFromArgs(['--port', '0', '--http.port', '0', '--nodiscover']);
    const b = await startNodeFromArgs(['--port', '0', '--nodiscover']);
    try {
      // Neither node has a protocol yet, so as in geth no shared capability is required.
      const added = a.network.server.waitForPeer(b.network.localEnode.publicKey, 10_000);
      expect(await rpc(String(a.node.httpPort), 'admin_addPeer', [b.network.enode])).toBe(true);
      await added;
      const peers = (await rpc(String(a.node.httpPort), 'admin_peers')) as { enode: string; network: { inbound: boolean; static: boolean } }[];
      expect(peers).toHaveLength(1);
      expect(peers[0]).toMatchObject({ enode: b.network.enode, network: { inbound: false, static: true } });
      expect(await rpc(String(a.node.httpPort), 'net_peerCount')).toBe('0x1');
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it.each([
    [['--port', 'x'], /--port must be an integer/],
    [['--nodekey', 'zz'], /--nodekey/],
    [['--nodekey', '11'.repeat(32), '--nodekeyfile', '/x'], /not both/],
    [['--bootnodes', 'enode://nope'], /--bootnodes entry 1/],
    [['--host', 'localhost'], /--host must be an IP address/],
    [['--frobnicate'], /unknown flag --frobnicate/],
  ])('rejects bad flags %j with a usage error', async (args, message) => {
    await expect(startNodeFromArgs(args)).rejects.toThrow(UsageError);
    await expect(startNodeFromArgs(args)).rejects.toThrow(message);
  });
});
