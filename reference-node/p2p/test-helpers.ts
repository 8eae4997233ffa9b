/** Loopback plumbing shared by the p2p tests: a listener that hands accepted sockets to a callback. */
import { createServer, type Server, type Socket } from 'node:net';

export async function listenLoopback(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer({ pauseOnConnect: true }, onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { server, port: address.port };
}
