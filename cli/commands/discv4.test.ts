import dgram from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Discv4UdpEndpoint } from '../../reference-node/discovery/udp-endpoint.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { formatEnode } from '../../reference-node/wire/enode.js';
import { generatePrivateKey, nodeIdOf, publicKeyOf } from '../../reference-node/wire/keys.js';
import { main } from '../main.js';

let out: string[];
let err: string[];
const cleanups: (() => Promise<void>)[] = [];

beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length) await cleanups.pop()!();
});

async function target(enrSeq?: bigint): Promise<Discv4UdpEndpoint> {
  const ep = await Discv4UdpEndpoint.open({ privateKey: generatePrivateKey(), ...(enrSeq === undefined ? {} : { enrSeq }) });
  cleanups.push(() => ep.close());
  return ep;
}

const enodeOf = (ep: Discv4UdpEndpoint, tcpPort = 30303) =>
  formatEnode({ publicKey: ep.publicKey, ip: '127.0.0.1', tcpPort, udpPort: ep.udpPort });

/** A UDP port with nothing behind it. */
async function closedPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('devp2p-check discv4 ping', () => {
  it('prints the pong as JSON and the remote ENR seq, exit 0', async () => {
    const node = await target(5n);
    const pings: string[] = [];
    node.onPacket((d) => void (d.packet.type === 'ping' && pings.push(bytesToHex(d.hash))));
    const code = await main(['discv4', 'ping', enodeOf(node), '--timeout', '2000']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(report).toMatchObject({
      from: `127.0.0.1:${node.udpPort}`,
      publicKey: bytesToHex(node.publicKey),
      nodeId: bytesToHex(nodeIdOf(node.publicKey)),
      to: { ip: '127.0.0.1', tcpPort: 0 },
      enrSeq: '5',
    });
    expect(pings).toEqual([report.pingHash]);
    expect(BigInt(report.expiration as string)).toBeGreaterThan(BigInt(Math.floor(Date.now() / 1000)));
    expect(out[1]).toBe('remote ENR seq: 5');
  });

  it('prints null and says so when the pong has no enr-seq', async () => {
    const node = await target();
    expect(await main(['discv4', 'ping', enodeOf(node)])).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ enrSeq: null });
    expect(out[1]).toMatch(/^remote ENR seq: none/);
  });

  it('uses discport when the enode has one', async () => {
    const node = await target(1n);
    const url = formatEnode({ publicKey: node.publicKey, ip: '127.0.0.1', tcpPort: 1, udpPort: node.udpPort });
    expect(url).toContain('?discport=');
    expect(await main(['discv4', 'ping', url, '--timeout=2000'])).toBe(0);
  });

  it('exits 3 with one line when nothing answers', async () => {
    const port = await closedPort();
    const url = formatEnode({ publicKey: publicKeyOf(generatePrivateKey()), ip: '127.0.0.1', tcpPort: port, udpPort: port });
    const started = Date.now();
    expect(await main(['discv4', 'ping', url, '--timeout', '300'])).toBe(3);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^devp2p-check discv4: no pong from 127\.0\.0\.1:\d+ within 300 ms/);
  });

  it('exits 3 when the answer is signed by a different key than the enode names', async () => {
    const node = await target();
    const wrong = formatEnode({ publicKey: publicKeyOf(generatePrivateKey()), ip: '127.0.0.1', tcpPort: 1, udpPort: node.udpPort });
    expect(await main(['discv4', 'ping', wrong, '--timeout', '500'])).toBe(3);
    expect(err[0]).toContain(bytesToHex(node.publicKey));
  });

  it.each([
    [['discv4'], /usage: discv4 ping/],
    [['discv4', 'find'], /unknown subcommand "find"/],
    [['discv4', 'ping'], /exactly one enode/],
    [['discv4', 'ping', 'enode://abc@127.0.0.1:1'], /public key must be 128 hex digits/],
    [['discv4', 'ping', `enode://${bytesToHex(publicKeyOf(new Uint8Array(32).fill(1)))}@localhost:1`], /not an IP address literal/],
    [['discv4', 'ping', 'x', '--timeout', '0'], /--timeout must be an integer/],
    [['discv4', 'ping', 'x', '--retries', '1'], /unknown flag --retries/],
  ])('usage errors exit 2: %j', async (argv, message) => {
    expect(await main(argv)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
  });

  it('refuses an enode with discport=0 (discovery off)', async () => {
    const url = `${formatEnode({ publicKey: publicKeyOf(generatePrivateKey()), ip: '127.0.0.1', tcpPort: 30303, udpPort: 30303 })}?discport=0`;
    expect(await main(['discv4', 'ping', url])).toBe(2);
    expect(err[0]).toMatch(/discport=0/);
  });
});
