import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generatePrivateKey, publicKeyOf } from '../../reference-node/wire/keys.js';
import type { Fixture } from '../fixture/fixture.js';
import type { RunningTarget, TargetCapability, TargetProvider } from '../targets/target.js';
import { pingAnswered } from '../suites/p2p/ping.js';
import { headersForward } from '../suites/eth/headers-basic.js';
import { check, TestSkip } from './failure.js';
import { Runner } from './runner.js';
import type { ConformanceTest } from './test.js';

const fixture = { profile: 'legacy', head: { number: 0 } } as unknown as Fixture;

class FakeProvider implements TargetProvider {
  readonly description = 'fake';
  readonly canLaunchFresh: boolean;
  starts = 0;
  alive = true;
  constructor(
    private readonly caps: TargetCapability[],
    private readonly port = 1,
    canLaunchFresh = false,
  ) {
    this.canLaunchFresh = canLaunchFresh;
  }
  async start(f: Fixture): Promise<RunningTarget> {
    this.starts++;
    this.alive = true;
    const key = generatePrivateKey();
    return {
      description: `fake #${this.starts}`,
      host: '127.0.0.1',
      port: this.port,
      udpPort: this.port,
      publicKey: publicKeyOf(key),
      enode: 'enode://fake',
      capabilities: new Set(this.caps),
      fixture: f,
      announcedCaps: [],
      alive: () => this.alive,
      logTail: () => 'fake target log',
      stop: async () => undefined,
    };
  }
  launch(f: Fixture): Promise<RunningTarget> {
    return this.start(f);
  }
}

function test(id: string, run: ConformanceTest['run'], extra: Partial<ConformanceTest> = {}): ConformanceTest {
  return { id, title: id, spec: 'rlpx.md#hello-0x00', level: 'MUST', requires: [], run, ...extra };
}

async function runWith(provider: TargetProvider, tests: ConformanceTest[], seed = 's') {
  const runner = new Runner([{ provider, fixture }], { seed, jobs: 4 });
  await runner.start();
  try {
    return await runner.run(tests);
  } finally {
    await runner.stop();
  }
}

describe('Runner verdicts', () => {
  it('turns pass, TestFailure, TestSkip, a harness bug and a missed deadline into the right statuses', async () => {
    const verdicts = await runWith(new FakeProvider([]), [
      test('x/pass', async () => undefined),
      test('x/fail', async () => check(false, 'the target said no', 'yes', 'no')),
      test('x/skip', async () => {
        throw new TestSkip('does not apply');
      }),
      test('x/bug', async () => {
        throw new TypeError('oops');
      }),
      test('x/slow', () => new Promise(() => undefined), { timeoutMs: 200 }),
    ]);
    expect(verdicts.map((v) => [v.id, v.status])).toEqual([
      ['x/pass', 'pass'],
      ['x/fail', 'fail'],
      ['x/skip', 'skip'],
      ['x/bug', 'error'],
      ['x/slow', 'fail'],
    ]);
    expect(verdicts[1]).toMatchObject({ message: 'the target said no', expected: 'yes', actual: 'no' });
    expect(verdicts[4]!.message).toMatch(/200 ms deadline/);
  });

  it('skips a test whose requirements the target lacks, naming what is missing, and never runs it', async () => {
    let ran = false;
    const verdicts = await runWith(new FakeProvider(['rpc']), [
      test('x/needs-engine', async () => {
        ran = true;
      }, { requires: ['rpc', 'engine'] }),
      test('x/needs-fresh', async () => {
        ran = true;
      }, { isolation: 'fresh' }),
    ]);
    expect(ran).toBe(false);
    expect(verdicts.map((v) => v.status)).toEqual(['skip', 'skip']);
    expect(verdicts[0]!.message).toBe('the target lacks engine');
    expect(verdicts[1]!.message).toBe('the target lacks fresh-target');
  });

  it('makes a target crash the verdict of the test that saw it, and restarts the target for the next', async () => {
    const provider = new FakeProvider([]);
    const verdicts = await runWith(provider, [
      test('x/crash', async () => {
        provider.alive = false;
      }, { isolation: 'exclusive' }),
    ]);
    expect(verdicts[0]).toMatchObject({ status: 'fail', expected: 'the target keeps running', targetLog: 'fake target log' });
    expect(provider.starts).toBe(2);
  });

  it('gives a test the same keys whatever runs beside it and in whatever order', async () => {
    const seen = new Map<string, string>();
    const keyTest = (id: string) =>
      test(id, async (ctx) => {
        seen.set(`${id}#${seen.size}`, Buffer.from(ctx.nextKey()).toString('hex'));
      });
    await runWith(new FakeProvider([]), [keyTest('k/a'), keyTest('k/b')]);
    const full = [...seen.entries()];
    seen.clear();
    await runWith(new FakeProvider([]), [keyTest('k/b')]);
    const alone = [...seen.values()][0];
    expect(full.find(([k]) => k.startsWith('k/b'))![1]).toBe(alone);
    expect(full.find(([k]) => k.startsWith('k/a'))![1]).not.toBe(alone);
    seen.clear();
    await runWith(new FakeProvider([]), [keyTest('k/b')], 'other seed');
    expect([...seen.values()][0]).not.toBe(alone);
  });

  it('runs exclusive tests alone: nothing else is in flight while one runs', async () => {
    let inFlight = 0;
    let maxBesideExclusive = 0;
    const shared = (id: string) =>
      test(id, async () => {
        inFlight++;
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
      });
    const exclusive = (id: string) =>
      test(id, async () => {
        maxBesideExclusive = Math.max(maxBesideExclusive, inFlight);
        inFlight++;
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
      }, { isolation: 'exclusive' });
    await runWith(new FakeProvider([]), [shared('s/1'), exclusive('e/1'), shared('s/2'), exclusive('e/2'), shared('s/3')]);
    expect(maxBesideExclusive).toBe(0);
  });
});

describe('a silent target', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('never passes a test that expects an answer', async () => {
    // Accepts TCP and reads, but never writes a byte: hive's MaliciousHandshake passes such a node.
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const provider = new FakeProvider(['eth/66', 'eth/67', 'eth/68'], port);
    const verdicts = await runWith(provider, [pingAnswered, ...headersForward.slice(0, 3)]);
    expect(verdicts.map((v) => v.status)).toEqual(['fail', 'fail', 'fail', 'fail']);
    for (const v of verdicts) expect(v.message).toMatch(/did not complete an honest RLPx handshake/);
  }, 30_000);
});
