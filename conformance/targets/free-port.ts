/** A port number free for both TCP and UDP on 127.0.0.1 (a node under test binds both on one number). */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function tcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await tcpPort();
    if (await udpFree(port)) return port;
  }
  throw new Error('no port free for both TCP and UDP on 127.0.0.1 after 20 tries');
}

/**
 * A port found free can be taken by another process before the client binds
 * it (tests and instances run side by side). `start` is tried again, on the
 * new free ports it picks itself, when it failed because a port was in use.
 */
export async function retryOnPortRace<T>(start: () => Promise<T>, isRace: (err: unknown) => boolean, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !isRace(err)) throw err;
    }
  }
}

/** What a client prints when a port it was given is taken. */
export function mentionsPortInUse(err: unknown): boolean {
  return err instanceof Error && /EADDRINUSE|address already in use/i.test(err.message);
}
