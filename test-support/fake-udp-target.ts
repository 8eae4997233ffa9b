/**
 * A stand-in target for engine tests: an in-process UDP socket on 127.0.0.1
 * that answers every discv4 Ping with a Pong (so the engine's canary for a
 * target without RLPx passes), with TCP port 0, a start-up delay and a kill
 * switch (alive() false, as a crashed process), so a test can drive the
 * engine's loop, restarts and clock with a fake campaign and nothing else.
 */
import { createSocket } from 'node:dgram';
import type { Fixture } from '../conformance/fixture/fixture.js';
import type { RunningTarget, TargetProvider } from '../conformance/targets/target.js';
import { bytesToHex } from '../reference-node/wire/bytes.js';
import { decodeDiscv4Packet, encodeDiscv4Packet, expirationAfter, ipToBytes } from '../reference-node/wire/discv4.js';
import { generatePrivateKey, publicKeyOf } from '../reference-node/wire/keys.js';

export interface FakeUdpTarget extends RunningTarget {
  /** From now on alive() is false, as after a crash. */
  kill(): void;
}

export class FakeUdpTargetProvider implements TargetProvider {
  readonly description = 'fake UDP target';
  readonly canLaunchFresh = false;
  starts = 0;
  current: FakeUdpTarget | undefined;

  constructor(private readonly startDelayMs = 0) {}

  async start(fixture: Fixture): Promise<RunningTarget> {
    await new Promise((r) => setTimeout(r, this.startDelayMs));
    const key = generatePrivateKey();
    const publicKey = publicKeyOf(key);
    const socket = createSocket('udp4');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.on('message', (msg, from) => {
      try {
        const d = decodeDiscv4Packet(new Uint8Array(msg));
        if (d.packet.type !== 'ping') return;
        const pong = encodeDiscv4Packet({ type: 'pong', to: { ip: ipToBytes(from.address), udpPort: from.port, tcpPort: 0 }, pingHash: d.hash, expiration: expirationAfter(Math.floor(Date.now() / 1000)) }, key);
        socket.send(pong, from.port, from.address);
      } catch {
        // not a packet
      }
    });
    const udpPort = socket.address().port;
    let dead = false;
    let closed = false;
    const target: FakeUdpTarget = {
      description: 'fake UDP target',
      host: '127.0.0.1',
      port: 0,
      udpPort,
      publicKey,
      enode: `enode://${bytesToHex(publicKey)}@127.0.0.1:0?discport=${udpPort}`,
      capabilities: new Set(['discv4']),
      fixture,
      announcedCaps: [],
      alive: () => !dead,
      // As a client that logs an uncaught error, then its orderly shutdown.
      logTail: () => (dead ? ['started', 'Uncaught error: killed by the test', ...Array.from({ length: 9 }, (_, i) => `stopping ${i}`), 'Exiting.'].join('\n') : 'started'),
      kill: () => {
        dead = true;
      },
      stop: async () => {
        dead = true;
        if (!closed) socket.close();
        closed = true;
      },
    };
    this.starts++;
    this.current = target;
    return target;
  }

  launch(): Promise<RunningTarget> {
    return Promise.reject(new Error('the fake target has no private instances'));
  }
}
