/**
 * Sync benchmark (npm run bench:sync): how fast a fresh node fully syncs
 * 2000 Clique blocks with 5 transactions each (every block executed, every
 * root and seal checked), ours against @ethereumjs/client, in one run.
 *
 * Both syncers pull from the same source: one of our nodes that imported the
 * fixture beforehand (its import time is printed too, for scale). Each
 * syncer is its own process and is timed from spawn to holding the source's
 * head, so start-up counts on both sides. The ethereumjs client runs with
 * TCP_NODELAY on its sockets (see ../shared/notes/ethereumjs-as-peer.md):
 * without it its request round trips stall on Nagle, which would measure
 * the kernel rather than the client.
 *
 *   npm run bench:sync [-- --blocks N] [-- --skip-ethereumjs]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedFixture, CLIQUE_2000 } from '../test-support/fixture-cache.js';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../cli/bin.js');
const argv = process.argv.slice(2);
const blocks = Number(argv[argv.indexOf('--blocks') + 1] ?? 0) || CLIQUE_2000.blocks;
const skipEthereumjs = argv.includes('--skip-ethereumjs');

interface OurNode {
  child: ChildProcess;
  output(): string;
  line(re: RegExp, ms: number): Promise<RegExpMatchArray>;
}

function startOurNode(args: string[]): OurNode {
  const child = spawn(process.execPath, [bin, 'node', '--port', '0', '--nodiscover', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const line = (re: RegExp, ms: number) =>
    new Promise<RegExpMatchArray>((ok, fail) => {
      const end = Date.now() + ms;
      const poll = setInterval(() => {
        const m = out.match(re);
        if (m) {
          clearInterval(poll);
          ok(m);
        } else if (Date.now() > end || child.exitCode !== null) {
          clearInterval(poll);
          fail(new Error(`no ${re} (exit ${child.exitCode}): ${out.slice(-1500)}`));
        }
      }, 50);
    });
  return { child, output: () => out, line };
}

async function rpc(port: number, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await res.json()) as { result: unknown }).result;
}

/** Polls until the block at `number` has `hash`; returns the seconds since `t0`. */
async function reached(port: () => number | undefined, number: number, hash: string, t0: number, limitMs: number): Promise<number> {
  for (;;) {
    const p = port();
    if (p !== undefined) {
      const block = (await rpc(p, 'eth_getBlockByNumber', [`0x${number.toString(16)}`, false]).catch(() => null)) as { hash: string } | null;
      if (block?.hash === hash) return (performance.now() - t0) / 1000;
    }
    if (performance.now() - t0 > limitMs) throw new Error(`no block ${number} = ${hash} after ${limitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const options = { ...CLIQUE_2000, blocks };
  console.log(`fixture: ${options.blocks} Clique blocks x ${options.txsPerBlock} txs (cached after the first run)`);
  const fixture = await cachedFixture(options);
  const headFcu = JSON.parse(await readFile(fixture.headFcu, 'utf8')) as { params: [{ headBlockHash: string }] };
  const headHash = headFcu.params[0].headBlockHash;
  const genesisJson = JSON.parse(await readFile(fixture.genesis, 'utf8')) as object;
  const scratch = await mkdtemp(join(tmpdir(), 'devp2p-check-bench-sync-'));
  const cleanups: Array<() => unknown> = [() => rm(scratch, { recursive: true, force: true })];
  try {
    const t0 = performance.now();
    const source = startOurNode(['--datadir', join(scratch, 'source'), '--genesis', fixture.genesis, '--import', fixture.chain, '--http.port', '0']);
    cleanups.push(() => source.child.kill('SIGKILL'));
    const [, enode] = await source.line(/enode: (enode:\/\/\S+)/, 600_000);
    const sourceRpc = Number((await source.line(/http: http:\/\/127\.0\.0\.1:(\d+)/, 10_000))[1]);
    const importSeconds = (performance.now() - t0) / 1000;
    console.log(`source: our node imported the fixture in ${importSeconds.toFixed(1)} s (${(blocks / importSeconds).toFixed(1)} blocks/s)`);

    const t1 = performance.now();
    const ours = startOurNode(['--genesis', fixture.genesis, '--static', enode!, '--http.port', '0']);
    cleanups.push(() => ours.child.kill('SIGKILL'));
    let ourPort: number | undefined;
    void ours.line(/http: http:\/\/127\.0\.0\.1:(\d+)/, 60_000).then((m) => (ourPort = Number(m[1])));
    const ourSeconds = await reached(() => ourPort, blocks, headHash, t1, 900_000);
    ours.child.kill('SIGKILL');
    console.log(`ours:       ${ourSeconds.toFixed(1)} s, ${(blocks / ourSeconds).toFixed(1)} blocks/s`);

    if (skipEthereumjs) return;
    const t2 = performance.now();
    const { startEthereumjsClient } = await import('../test-support/ethereumjs-client.js');
    const client = await startEthereumjsClient({ genesisJson, noDelay: true });
    cleanups.push(() => client.stop());
    // Our source dials the client: its admin_addPeer wants a discv4 endpoint proof first, and the source runs without discovery.
    await rpc(sourceRpc, 'admin_addPeer', [client.enode]);
    const theirSeconds = await reached(() => client.rpcPort, blocks, headHash, t2, 1_800_000);
    console.log(`ethereumjs: ${theirSeconds.toFixed(1)} s, ${(blocks / theirSeconds).toFixed(1)} blocks/s`);
    console.log(`ratio (ethereumjs time / ours): ${(theirSeconds / ourSeconds).toFixed(2)}x`);
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
