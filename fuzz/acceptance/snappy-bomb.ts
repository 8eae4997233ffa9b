/**
 * `node dist/fuzz/acceptance/snappy-bomb.js [--target ethereumjs|reference] [--parallel N]`
 *
 * Does a live node inflate a snappy payload past EIP-706's 16 MiB limit?
 * After an honest RLPx handshake, Hello (v5) and Status, each case sends one
 * Ping frame whose snappy payload either only *declares* a huge length or
 * really inflates to hundreds of MiB, and records the target's VmRSS (before,
 * peak while the case runs, 5 s after), VmHWM, how the session ended (Pong,
 * Disconnect and its reason, close) and whether a fresh honest session still
 * gets a Pong. rlpx.md "Message Encoding" / EIP-706: a payload whose
 * declared uncompressed size exceeds 16 MiB must be rejected before
 * inflating it. Loopback only: the target is started here from the same
 * cmd: template as the soak (or the reference node).
 */
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../../conformance/fixture/default-fixtures.js';
import { loadFixture, type Fixture } from '../../conformance/fixture/fixture.js';
import { honestStatus } from '../../conformance/sim/eth-sim.js';
import { describeEnd, SimPeer, type SessionEnd } from '../../conformance/sim/sim-peer.js';
import { Transcript } from '../../conformance/sim/transcript.js';
import { parseTargetSpec } from '../../conformance/targets/parse.js';
import type { RunningTarget } from '../../conformance/targets/target.js';
import { concatBytes } from '../../reference-node/wire/bytes.js';
import { encodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import type { EthVersion } from '../../reference-node/wire/eth/types.js';
import { generatePrivateKey } from '../../reference-node/wire/keys.js';
import { encodePing, P2pMessageId } from '../../reference-node/wire/p2p.js';
import { DEFAULT_HEADER_DATA, encodeMsgId } from '../../reference-node/wire/rlpx/frame.js';
import { snappyCompress } from '../../reference-node/wire/rlpx/snappy.js';
import { ethereumjsCommandTemplate } from '../../test-support/ethereumjs-command.js';
import { pidListeningOn } from '../engine/rss.js';
import { snappyPayload, varint } from '../mutate/snappy.js';
import { readFileSync } from 'node:fs';

const MiB = 1024 * 1024;

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function status(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB$`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** A snappy block that really inflates to an RLP byte string of `size` zero bytes (a valid RLP item). */
function realInflation(size: number): Uint8Array {
  const lenBytes: number[] = [];
  for (let n = size; n > 0; n = Math.floor(n / 256)) lenBytes.unshift(n % 256);
  const plain = new Uint8Array(1 + lenBytes.length + size);
  plain[0] = 0xb7 + lenBytes.length;
  plain.set(lenBytes, 1);
  return snappyCompress(plain);
}

/**
 * @ethereumjs/devp2p sends its Disconnect without snappy after a v5 Hello, so
 * our codec reads the bare reason byte as a snappy length: say which reason it was.
 */
function endText(end: SessionEnd | undefined): string {
  const bare = end?.via === 'bad-frame' ? /expected (\d+) decompressed bytes but got 0/.exec(end.error) : null;
  if (bare) return `Disconnect 0x${Number(bare[1]).toString(16).padStart(2, '0')} (sent without snappy)`;
  return describeEnd(end);
}

interface Case {
  name: string;
  claim: string;
  payload: () => Uint8Array;
}

const CASES: Case[] = [
  { name: 'declares 2 GiB - 1, header only', claim: 'a 5-byte payload: only the varint length (2^31-1)', payload: () => varint(2 ** 31 - 1) },
  { name: 'declares 1 GiB, 4-byte literal + one copy', claim: 'bomb: literal "abcd" then a 4-byte copy, length 2^30', payload: () => snappyPayload(encodePing(), { mode: 'bomb', declared: 2 ** 30 }) },
  { name: 'declares 32 MiB, honest Ping body', claim: 'the Ping block with its length varint replaced by 32 MiB', payload: () => snappyPayload(encodePing(), { mode: 'lie', declared: 32 * MiB }) },
  { name: 'inflates to 17 MiB', claim: 'a valid snappy block of a 17 MiB RLP string', payload: () => realInflation(17 * MiB) },
  { name: 'inflates to 64 MiB', claim: 'a valid snappy block of a 64 MiB RLP string', payload: () => realInflation(64 * MiB) },
  { name: 'inflates to 256 MiB', claim: 'a valid snappy block of a 256 MiB RLP string', payload: () => realInflation(256 * MiB) },
];

function env(t: RunningTarget) {
  return { host: t.host, port: t.port, publicKey: t.publicKey, transcript: new Transcript(), nextKey: generatePrivateKey, signal: new AbortController().signal };
}

async function honestSession(t: RunningTarget, fixture: Fixture, version: EthVersion): Promise<SimPeer> {
  const peer = await SimPeer.dial(env(t), { name: 'bomb', timeoutMs: 20_000 });
  const hello = await peer.exchangeHello([{ name: 'eth', version }]);
  if (!hello.ok) throw new Error('no Hello from the target');
  const { code, payload } = encodeEthMessage(version, honestStatus(fixture, version));
  peer.sendRaw(peer.wireId('eth', code), payload);
  peer.sendRaw(P2pMessageId.Ping, encodePing(), 'p2p:Ping');
  const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, 20_000);
  if (!w.ok) throw new Error(`honest session: no Pong (${describeEnd(peer.ended)})`);
  return peer;
}

/** Seals one Ping frame carrying `block` as its (snappy) payload. */
function pingFrame(peer: SimPeer, block: Uint8Array): Uint8Array {
  const data = concatBytes(encodeMsgId(P2pMessageId.Ping), block);
  if (data.length > 0xffffff) throw new Error(`frame-data of ${data.length} bytes does not fit a frame`);
  const header = new Uint8Array(16);
  header[0] = (data.length >>> 16) & 0xff;
  header[1] = (data.length >>> 8) & 0xff;
  header[2] = data.length & 0xff;
  header.set(DEFAULT_HEADER_DATA, 3);
  const body = new Uint8Array((data.length + 15) & ~15);
  body.set(data);
  return peer.transport.codec.writer.sealRaw(header, body);
}

async function main(argv: string[]): Promise<number> {
  const targetName = arg(argv, 'target') ?? 'ethereumjs';
  const parallel = Number(arg(argv, 'parallel') ?? 4);
  const ethjs = targetName === 'ethereumjs';
  const fixture = await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES[ethjs ? 'legacy' : 'modern']));
  const provider = parseTargetSpec(ethjs ? `cmd:${ethereumjsCommandTemplate()}` : 'reference');
  const t = await provider.start(fixture);
  const pid = pidListeningOn(t.port);
  if (pid === undefined) throw new Error('cannot see the target process');
  const version = Math.max(...[...t.capabilities].filter((c) => /^eth\/\d+$/.test(c)).map((c) => Number(c.slice(4))).filter((v) => v >= 66 && v <= 70)) as EthVersion;
  console.log(`target ${targetName} pid ${pid} port ${t.port}, eth/${version}, VmRSS ${(status(pid)!.rss / MiB).toFixed(0)} MiB`);
  // Side question (p2p campaign's hang finding): how long does the target keep a session that never sends Hello?
  const silentStart = Date.now();
  const silent = await SimPeer.dial(env(t), { name: 'silent', timeoutMs: 20_000 });
  let silentEnd: string | undefined;
  void silent.waitForEnd(3_600_000).then((end) => (silentEnd = `${describeEnd(end)} after ${((Date.now() - silentStart) / 1000).toFixed(0)} s`));
  const rows: string[] = [];
  const runCase = async (c: Case, copies: number) => {
    const peers = await Promise.all(Array.from({ length: copies }, () => honestSession(t, fixture, version)));
    await new Promise((r) => setTimeout(r, 3_000));
    const before = status(pid)!;
    const block = c.payload();
    let peak = before.rss;
    const sampler = setInterval(() => {
      const s = status(pid);
      if (s) peak = Math.max(peak, s.rss);
    }, 20);
    const started = Date.now();
    const outcomes = await Promise.all(
      peers.map(async (peer) => {
        peer.sendBytes(pingFrame(peer, block), 'bomb');
        const w = await peer.waitFor((m) => m.msgId === P2pMessageId.Pong, 30_000);
        const how = w.ok ? 'Pong (inflated and answered)' : endText(w.end ?? peer.ended);
        return `${how} after ${((Date.now() - started) / 1000).toFixed(1)} s`;
      }),
    );
    await new Promise((r) => setTimeout(r, 5_000));
    clearInterval(sampler);
    const after = status(pid);
    for (const p of peers) p.destroy();
    let canary = 'target gone';
    if (t.alive() && after) {
      canary = await honestSession(t, fixture, version).then(
        (p) => (p.destroy(), 'ok'),
        (err: Error) => `FAILED: ${err.message}`,
      );
    }
    const m = (n: number | undefined) => (n === undefined ? '-' : (n / MiB).toFixed(0));
    const row = `| ${c.name}${copies > 1 ? ` (x${copies} sessions at once)` : ''} | ${block.length} B | ${m(before.rss)} | ${m(peak)} | ${m(after?.rss)} | ${m(before.hwm)}→${m(after?.hwm)} | ${[...new Set(outcomes.map((o) => o.replace(/ after .*/, '')))].join('; ')} (${outcomes[outcomes.length - 1]!.replace(/.* after /, '')}) | ${t.alive() ? 'yes' : 'NO'} | ${canary} |`;
    console.log(row);
    rows.push(row);
  };
  try {
    for (const c of CASES) {
      console.log(`case: ${c.name}: ${c.claim}`);
      await runCase(c, 1);
      if (!t.alive()) break;
    }
    if (parallel > 1 && t.alive()) await runCase(CASES[CASES.length - 1]!, parallel);
  } finally {
    console.log(`a session that never sent Hello: ${silentEnd ?? `still open after ${((Date.now() - silentStart) / 1000).toFixed(0)} s`}`);
    silent.destroy();
    await t.stop().catch(() => undefined);
  }
  console.log(`\nSnappy payloads over 16 MiB against ${targetName} (pid ${pid}), one Ping frame each after an honest Hello v5 + Status\n`);
  console.log('| payload | frame-data sent | VmRSS before (MiB) | peak while running | 5 s after | VmHWM before→after | session | alive | fresh session after |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
