import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, mentionsPortInUse, retryOnPortRace } from './free-port.js';

describe('retryOnPortRace', () => {
  it('starts again after a port clash, and only then', async () => {
    let calls = 0;
    const clash = new Error('the client exited (code 1); last output:\nError: listen EADDRINUSE: address already in use 127.0.0.1:36475');
    expect(await retryOnPortRace(async () => (++calls < 3 ? Promise.reject(clash) : 'up'), mentionsPortInUse)).toBe('up');
    expect(calls).toBe(3);

    calls = 0;
    await expect(retryOnPortRace(async () => Promise.reject(new Error(`no enode within 300000 ms (${++calls})`)), mentionsPortInUse)).rejects.toThrow('no enode');
    expect(calls).toBe(1);

    calls = 0;
    await expect(retryOnPortRace(async () => Promise.reject(clash), mentionsPortInUse, 2)).rejects.toBe(clash);
  });

  it('a port it hands out can really be bound on 127.0.0.1', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    server.close();
    expect(port).toBeGreaterThan(0);
  });
});
