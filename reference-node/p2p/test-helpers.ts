/** Plumbing shared by the p2p tests: a loopback listener that hands accepted sockets to a callback, and a hand-fed candidate source. */
import { createServer, type Server, type Socket } from 'node:net';
import type { DialTarget } from './dial-scheduler.js';

export async function listenLoopback(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer({ pauseOnConnect: true }, onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { server, port: address.port };
}

/** An async iterable of dial candidates the test feeds by hand, as discovery would. */
export class CandidateFeed implements AsyncIterable<DialTarget> {
  pulled = 0;
  private readonly items: DialTarget[] = [];
  private waiting: ((r: IteratorResult<DialTarget>) => void) | undefined;
  private ended = false;

  push(target: DialTarget): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      this.pulled++;
      w({ value: target, done: false });
    } else this.items.push(target);
  }

  [Symbol.asyncIterator](): AsyncIterator<DialTarget> {
    return {
      next: () => {
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        const item = this.items.shift();
        if (item) {
          this.pulled++;
          return Promise.resolve({ value: item, done: false });
        }
        return new Promise((resolve) => (this.waiting = resolve));
      },
      return: () => {
        this.ended = true;
        this.waiting?.({ value: undefined, done: true });
        this.waiting = undefined;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
