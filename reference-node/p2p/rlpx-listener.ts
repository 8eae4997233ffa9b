/**
 * Accepts RLPx connections on one TCP port and hands each finished p2p
 * session to a callback. The full server (max peers, dialing, static and
 * trusted nodes) builds on this; this piece has no policy beyond the session.
 */
import { createServer, type Server } from 'node:net';
import { Peer, type PeerOptions } from './peer.js';
import { RlpxTransport, type AcceptOptions } from './rlpx-transport.js';

export interface ListenerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  peer: PeerOptions;
  transport?: Omit<AcceptOptions, 'privateKey'>;
  onPeer(peer: Peer): void;
  /** A connection that failed before the p2p session was up (handshake or Hello). */
  onSessionError?(err: Error): void;
}

export class RlpxListener {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async listen(options: ListenerOptions): Promise<RlpxListener> {
    const server = createServer({ pauseOnConnect: true }, (socket) => {
      RlpxTransport.accept(socket, { ...options.transport, privateKey: options.peer.privateKey })
        .then((transport) => Peer.start(transport, options.peer))
        .then(options.onPeer, (err: Error) => options.onSessionError?.(err));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('listener has no TCP address');
    return new RlpxListener(server, address.port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
