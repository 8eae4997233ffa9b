/**
 * Test support: a scripted eth peer made of the bare RLPx transport and the
 * p2p Peer, so a test controls every eth message and sees exactly what our
 * node sends back. It dials a Server, or listens for one to dial it.
 */
import { ETH_MESSAGE_COUNTS } from '../p2p/capabilities.js';
import { Peer, type DisconnectInfo } from '../p2p/peer.js';
import { RlpxListener } from '../p2p/rlpx-listener.js';
import { RlpxTransport } from '../p2p/rlpx-transport.js';
import { DecodeError } from '../wire/errors.js';
import { decodeEthMessage, encodeEthMessage } from '../wire/eth/messages.js';
import type { EthMessage, EthVersion } from '../wire/eth/types.js';
import { generatePrivateKey, publicKeyOf, type PrivateKey, type PublicKey } from '../wire/keys.js';

export const WAIT_MS = 3_000;

type Kind = EthMessage['kind'];
type Of<K extends Kind> = Extract<EthMessage, { kind: K }>;

export class ScriptedEthPeer {
  /** Every eth message received, in order (decoded at our version). */
  readonly received: EthMessage[] = [];
  readonly decodeErrors: DecodeError[] = [];
  private readonly waiters: Array<{ kind: Kind; resolve: (m: EthMessage) => void }> = [];
  private ended: DisconnectInfo | undefined;
  private readonly endWaiters: Array<(d: DisconnectInfo) => void> = [];
  private readonly taken = new WeakSet<EthMessage>();

  private constructor(
    readonly peer: Peer,
    readonly version: EthVersion,
    readonly privateKey: PrivateKey,
  ) {
    peer.attach({
      message: (_cap, code, payload) => {
        let msg: EthMessage;
        try {
          msg = decodeEthMessage(version, code, payload);
        } catch (err) {
          if (err instanceof DecodeError) return void this.decodeErrors.push(err);
          throw err;
        }
        this.received.push(msg);
        const w = this.waiters.findIndex((x) => x.kind === msg.kind);
        if (w >= 0) this.waiters.splice(w, 1)[0]!.resolve(msg);
      },
      disconnect: (info) => {
        this.ended = info;
        for (const w of this.endWaiters.splice(0)) w(info);
      },
    });
  }

  /** Dials a node at 127.0.0.1:port offering only eth/`version`. */
  static async dial(target: { port: number; publicKey: PublicKey }, version: EthVersion): Promise<ScriptedEthPeer> {
    const privateKey = generatePrivateKey();
    const transport = await RlpxTransport.dial({ host: '127.0.0.1', port: target.port, privateKey, remotePublicKey: target.publicKey, timeoutMs: WAIT_MS });
    try {
      const peer = await Peer.start(transport, {
        privateKey,
        clientId: `scripted-eth/${version}`,
        capabilities: [{ name: 'eth', version }],
        messageCounts: ETH_MESSAGE_COUNTS,
        listenPort: 0,
        helloTimeoutMs: WAIT_MS,
      });
      return new ScriptedEthPeer(peer, version, privateKey);
    } catch (err) {
      transport.destroy();
      throw err;
    }
  }

  /** Listens on loopback; `accept()` resolves with the first peer that connects. */
  static async listen(version: EthVersion): Promise<{ port: number; publicKey: PublicKey; accept: Promise<ScriptedEthPeer>; close(): Promise<void> }> {
    const privateKey = generatePrivateKey();
    let resolveAccept!: (p: ScriptedEthPeer) => void;
    let rejectAccept!: (e: unknown) => void;
    const accept = new Promise<ScriptedEthPeer>((resolve, reject) => {
      resolveAccept = resolve;
      rejectAccept = reject;
    });
    const listener = await RlpxListener.listen({
      peer: {
        privateKey,
        clientId: `scripted-eth/${version}`,
        capabilities: [{ name: 'eth', version }],
        messageCounts: ETH_MESSAGE_COUNTS,
        listenPort: 0,
        helloTimeoutMs: WAIT_MS,
      },
      onPeer: (p) => resolveAccept(new ScriptedEthPeer(p, version, privateKey)),
      onSessionError: rejectAccept,
    });
    return { port: listener.port, publicKey: publicKeyOf(privateKey), accept, close: () => listener.close() };
  }

  get connected(): boolean {
    return this.ended === undefined && this.peer.isConnected;
  }

  send(msg: EthMessage): void {
    const { code, payload } = encodeEthMessage(this.version, msg);
    if (!this.peer.send('eth', code, payload)) throw new Error(`scripted peer: ${msg.kind} not sent, session closed`);
  }

  sendRaw(code: number, payload: Uint8Array): void {
    if (!this.peer.send('eth', code, payload)) throw new Error(`scripted peer: code ${code} not sent, session closed`);
  }

  /** The first received message of `kind` not yet taken, waiting up to `timeoutMs`. */
  next<K extends Kind>(kind: K, timeoutMs = WAIT_MS): Promise<Of<K>> {
    const i = this.received.findIndex((m) => m.kind === kind && !this.taken.has(m));
    if (i >= 0) {
      this.taken.add(this.received[i]!);
      return Promise.resolve(this.received[i] as Of<K>);
    }
    return new Promise<Of<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(entry), 1);
        reject(new Error(`no ${kind} within ${timeoutMs} ms (got: ${this.received.map((m) => m.kind).join(', ') || 'nothing'}; disconnect: ${this.ended?.detail ?? 'none'})`));
      }, timeoutMs);
      const entry = {
        kind,
        resolve: (m: EthMessage) => {
          clearTimeout(timer);
          this.taken.add(m);
          resolve(m as Of<K>);
        },
      };
      this.waiters.push(entry);
    });
  }

  /** How the session ended, waiting up to `timeoutMs`. */
  disconnected(timeoutMs = WAIT_MS): Promise<DisconnectInfo> {
    if (this.ended) return Promise.resolve(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
      this.endWaiters.push((info) => {
        clearTimeout(timer);
        resolve(info);
      });
    });
  }

  /** True if the session is still up after `ms` (for "no disconnect" checks). */
  async stillConnectedAfter(ms: number): Promise<boolean> {
    try {
      await this.disconnected(ms);
      return false;
    } catch {
      return true;
    }
  }

  close(): void {
    this.peer.disconnect();
  }
}
