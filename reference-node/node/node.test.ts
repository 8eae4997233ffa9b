import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../wire/bytes.js';
import { DuplicateServiceError, Node, NodeStartError, type P2pEndpoint } from './node.js';
import { loadNodeKey, NodeKeyError, NODE_KEY_FILE } from './node-key.js';
import type { Service } from './service.js';

/** Records every lifecycle step so the order can be checked. */
function recorder() {
  const log: string[] = [];
  const p2p: P2pEndpoint<string> = {
    open: async (protocols) => void log.push(`p2p.open(${protocols.join(',')})`),
    close: async () => void log.push('p2p.close'),
    rpcMethods: () => ({ net_peerCount: () => '0x0' }),
  };
  const service = (name: string, fail = false): Service<string> => ({
    name,
    protocols: () => [`${name}/1`],
    rpcMethods: () => ({ [`${name}_hello`]: () => `hello from ${name}` }),
    start: async () => {
      log.push(`${name}.start`);
      if (fail) throw new Error(`${name} exploded`);
    },
    stop: async () => void log.push(`${name}.stop`),
  });
  return { log, p2p, service };
}

const nodes: Node<string>[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
});

describe('Node lifecycle (geth Node.Start order)', () => {
  it('opens P2P with the protocols of all services, then starts services in order; stops them in reverse', async () => {
    const { log, p2p, service } = recorder();
    const node = new Node({ p2p });
    nodes.push(node);
    node.register(service('eth'));
    node.register(service('snap'));
    await node.start();
    expect(node.state).toBe('running');
    await node.stop();
    expect(log).toEqual(['p2p.open(eth/1,snap/1)', 'eth.start', 'snap.start', 'snap.stop', 'eth.stop', 'p2p.close']);
    expect(node.state).toBe('closed');
  });

  it('rolls back when a service fails: started services stop in reverse, then P2P closes', async () => {
    const { log, p2p, service } = recorder();
    const node = new Node({ p2p });
    node.register(service('a'));
    node.register(service('b'));
    node.register(service('c', true));
    node.register(service('d'));
    const err = await node.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeStartError);
    expect((err as Error).message).toBe('service c failed to start: c exploded');
    expect(log).toEqual(['p2p.open(a/1,b/1,c/1,d/1)', 'a.start', 'b.start', 'c.start', 'b.stop', 'a.stop', 'p2p.close']);
    expect(node.state).toBe('closed');
  });

  it('rolls back when the P2P endpoint fails to open: no service starts', async () => {
    const { log, service } = recorder();
    const node = new Node<string>({
      p2p: { open: async () => Promise.reject(new Error('port 30303 in use')), close: async () => void log.push('p2p.close'), rpcMethods: () => ({}) },
    });
    node.register(service('a'));
    await expect(node.start()).rejects.toThrow('node failed to start: port 30303 in use');
    expect(log).toEqual([]);
  });

  it('refuses a duplicate service', () => {
    const { p2p, service } = recorder();
    const node = new Node({ p2p });
    node.register(service('eth'));
    expect(() => node.register(service('eth'))).toThrow(DuplicateServiceError);
  });

  it('serves the RPC methods of the P2P endpoint and of every service on loopback', async () => {
    const { p2p, service } = recorder();
    const node = new Node({ p2p, httpPort: 0 });
    nodes.push(node);
    node.register(service('eth'));
    await node.start();
    const call = async (method: string) => {
      const res = await fetch(`http://127.0.0.1:${node.httpPort}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
      });
      return (await res.json()) as { result?: unknown; error?: { code: number } };
    };
    expect((await call('net_peerCount')).result).toBe('0x0');
    expect((await call('eth_hello')).result).toBe('hello from eth');
    expect((await call('nope_nope')).error?.code).toBe(-32601);
  });
});

describe('node key', () => {
  let dir: string;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is generated once in the datadir and reused on restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'devp2p-check-key-'));
    const first = await loadNodeKey({ datadir: dir });
    const second = await loadNodeKey({ datadir: dir });
    expect(second).toEqual(first);
    expect((await readFile(join(dir, NODE_KEY_FILE), 'utf8')).trim()).toBe(bytesToHex(first));
  });

  it('reads --nodekey hex and --nodekeyfile, and names the source of a bad key', async () => {
    dir = await mkdtemp(join(tmpdir(), 'devp2p-check-key-'));
    const hex = '11'.repeat(32);
    expect(bytesToHex(await loadNodeKey({ hex }))).toBe(hex);
    await writeFile(join(dir, 'k'), `${hex}\n`);
    expect(bytesToHex(await loadNodeKey({ file: join(dir, 'k') }))).toBe(hex);
    await expect(loadNodeKey({ hex: 'abc' })).rejects.toThrow(NodeKeyError);
    await expect(loadNodeKey({ hex: 'abc' })).rejects.toThrow(/--nodekey/);
    await expect(loadNodeKey({ file: join(dir, 'missing') })).rejects.toThrow(/cannot read node key file/);
  });
});
