/**
 * Modern profile, issue 4's acceptance: node B, given only the genesis,
 * syncs to node A's head after an engine_forkchoiceUpdatedV3 naming it,
 * sent as a consensus client would (HTTP, JWT HS256). The request is the
 * fixture's headfcu.json, the same shape as geth's eth-test headfcu.json.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedFixture } from '../../test-support/fixture-cache.js';
import { signJwt } from '../../reference-node/rpc/jwt.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import type { RunningNode } from './node.js';
import { startTestNode, until } from '../../test-support/running-node.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const start = (args: string[]): Promise<RunningNode> => startTestNode(args, cleanups);

async function post(port: number, body: unknown, secret?: Uint8Array): Promise<{ status: number; json: { result?: unknown; error?: unknown } }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret) headers['authorization'] = `Bearer ${signJwt(secret)}`;
  const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, json: res.status === 200 ? ((await res.json()) as { result?: unknown }) : {} };
}


describe('post-merge sync over the Engine API', () => {
  it('B syncs to A\'s head after forkchoiceUpdatedV3 names it; a request without a JWT is refused', async () => {
    const fixture = await cachedFixture({ profile: 'modern', blocks: 48, seed: 'beacon-sync-test', txsPerBlock: 3 });
    const dir = await mkdtemp(join(tmpdir(), 'devp2p-check-beacon-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const secretFile = join(dir, 'jwt.hex');
    const secret = crypto.getRandomValues(new Uint8Array(32));
    await writeFile(secretFile, `0x${bytesToHex(secret)}\n`);

    const a = await start(['--genesis', fixture.genesis, '--import', fixture.chain]);
    const b = await start(['--genesis', fixture.genesis, '--authrpc.port', '0', '--authrpc.jwtsecret', secretFile]);
    expect(b.eth!.chain.head().number).toBe(0n);
    const authPort = b.node.authPort!;

    const fcu = JSON.parse(await readFile(fixture.headFcu, 'utf8')) as { params: [{ headBlockHash: string }] };
    const target = fcu.params[0].headBlockHash;
    expect(target).toBe(`0x${bytesToHex(a.eth!.chain.head().hash)}`);
    expect((await post(authPort, fcu)).status).toBe(401);

    b.network.server.addPeer(a.network.enode);
    const first = await post(authPort, fcu, secret);
    expect(first.json.result).toMatchObject({ payloadStatus: { status: 'SYNCING' } });

    // A consensus client repeats the forkchoice until the EL reports VALID.
    const valid = await until('VALID', 30_000, async () => {
      const r = await post(authPort, fcu, secret);
      const status = (r.json.result as { payloadStatus: { status: string } } | undefined)?.payloadStatus.status;
      return status === 'VALID' ? r.json.result : undefined;
    });
    expect(valid).toMatchObject({ payloadStatus: { status: 'VALID', latestValidHash: target } });
    expect(b.eth!.chain.head()).toMatchObject({ number: 48n });
    expect(`0x${bytesToHex(b.eth!.chain.head().hash)}`).toBe(target);
    // The eth namespace is served on the authenticated endpoint too.
    expect((await post(authPort, { jsonrpc: '2.0', id: 2, method: 'eth_blockNumber', params: [] }, secret)).json.result).toBe('0x30');
  }, 90_000);
});
