/**
 * The canary forgives one refused connect (a listener re-opened for a
 * moment) but not two, and still needs a correct header reply.
 */
import { createServer, connect, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useReferenceTarget } from '../../test-support/reference-target.js';
import { canary } from './canary.js';
import { CampaignContext } from './context.js';

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** Forwards 127.0.0.1:port to the target (the target "re-opens its listener" on another port). */
function forward(port: number, to: number): Promise<Server> {
  const server = createServer((client) => {
    const upstream = connect(to, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r(server)));
}

describe('canary and refused connections', () => {
  const ref = useReferenceTarget();

  it('passes when the first connect is refused and the listener is back within the retry delay', async () => {
    const port = await freePort();
    const ctx = new CampaignContext({ ...ref.target, port }, ref.fixture, new AbortController().signal);
    const opened = new Promise<Server>((r) => setTimeout(() => r(forward(port, ref.target.port)), 200));
    try {
      expect(await canary(ctx)).toEqual({ ok: true });
    } finally {
      ctx.abortConnections();
      (await opened).close();
    }
  }, 30_000);

  it('fails when the connect is refused twice', async () => {
    const port = await freePort();
    const ctx = new CampaignContext({ ...ref.target, port }, ref.fixture, new AbortController().signal);
    const verdict = await canary(ctx);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.oracle).toBe('canary');
      expect(verdict.observed).toMatch(/ECONNREFUSED/);
    }
  }, 30_000);
});
