/**
 * For the campaigns' model tests: a stand-in for SimPeer whose "target" is a
 * script, so a model can be run against behaviour no local node has (a client
 * that ignores a request, or answers a Hello with another reason) without a
 * network. The script sees every message a campaign sends and answers at once;
 * Ping is answered with Pong while the session is open, as a live target
 * would, so the campaigns' Ping barrier works unchanged.
 */
import type { Inbound, SessionEnd, SimPeer, Waited } from '../../conformance/sim/sim-peer.js';
import type { PrivateKey } from '../../reference-node/wire/keys.js';
import { P2pMessageId, type Hello, type SharedCapability } from '../../reference-node/wire/p2p.js';

export type Script = (msgId: number, payload: Uint8Array, target: ScriptedTarget) => void;

/** What a script may do in answer. */
export interface ScriptedTarget {
  deliver(msgId: number, payload: Uint8Array): void;
  disconnect(reason: number | undefined): void;
  close(): void;
}

class ScriptedPeer implements ScriptedTarget {
  ended: SessionEnd | undefined;
  readonly received: Inbound[] = [];
  readonly sent: Array<{ msgId: number; payload: Uint8Array }> = [];
  readonly transport = { codec: { snappy: false } };
  remoteHello: Hello | undefined;
  private readonly inbox: Inbound[] = [];

  constructor(
    readonly privateKey: PrivateKey,
    readonly shared: SharedCapability[],
    private readonly script: Script,
  ) {}

  deliver(msgId: number, payload: Uint8Array): void {
    const m = { msgId, payload, atMs: 0 };
    this.received.push(m);
    this.inbox.push(m);
  }

  disconnect(reason: number | undefined): void {
    this.ended ??= { via: 'disconnect', reason, form: this.transport.codec.snappy ? 'snappy' : 'plain', atMs: 0 };
  }

  close(): void {
    this.ended ??= { via: 'close', atMs: 0 };
  }

  wireId(name: string, code: number): number {
    const cap = this.shared.find((c) => c.name === name);
    if (!cap) throw new RangeError(`${name} was not negotiated`);
    return cap.offset + code;
  }

  sendRaw(msgId: number, payload: Uint8Array): boolean {
    if (this.ended) return false;
    this.sent.push({ msgId, payload });
    if (msgId === P2pMessageId.Ping) this.deliver(P2pMessageId.Pong, Uint8Array.of(0xc0));
    else this.script(msgId, payload, this);
    return true;
  }

  async waitFor(match: (m: Inbound) => boolean, timeoutMs = 0): Promise<Waited<Inbound>> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return { ok: true, value: this.inbox.splice(i, 1)[0]! };
    if (this.ended) return { ok: false, why: 'ended', end: this.ended, waitedMs: 0 };
    return { ok: false, why: 'timeout', waitedMs: timeoutMs };
  }

  async waitForEnd(): Promise<SessionEnd | undefined> {
    return this.ended;
  }

  destroy(): void {}
}

/**
 * A SimPeer stand-in: `hello` is the target's Hello, already waiting in the
 * inbox as it would be after the handshake; `shared` is what negotiation gave.
 */
export function scriptedPeer(options: { privateKey: PrivateKey; hello?: Hello; helloBytes?: Uint8Array; shared?: SharedCapability[]; script: Script }): SimPeer & { sent: ScriptedPeer['sent'] } {
  const peer = new ScriptedPeer(options.privateKey, options.shared ?? [], options.script);
  if (options.hello) {
    peer.remoteHello = options.hello;
    peer.deliver(P2pMessageId.Hello, options.helloBytes ?? new Uint8Array(0));
  }
  return peer as unknown as SimPeer & { sent: ScriptedPeer['sent'] };
}
