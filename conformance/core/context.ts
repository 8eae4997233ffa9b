/**
 * What a running test gets: its target (and a way to launch a private one),
 * the fixture, simulated peers bound to the test's transcript, keys and
 * deadline, RPC access, and cleanup. Nothing here outlives the test, which is
 * what keeps verdicts independent of order and subset.
 */
import type { PrivateKey } from '../../reference-node/wire/keys.js';
import type { Fixture } from '../fixture/fixture.js';
import { EthSim, type EthConnectOptions } from '../sim/eth-sim.js';
import { SimPeer, type SimDialOptions, type SimEnv } from '../sim/sim-peer.js';
import type { Transcript } from '../sim/transcript.js';
import { rpcCall } from '../targets/rpc-client.js';
import type { LaunchOptions, RunningTarget } from '../targets/target.js';
import { TestSkip } from './failure.js';
import type { SeededSource } from './seeded.js';

/** One target as a test uses it: sim peers, RPC and Engine calls, all cleaned up after the test. */
export class TargetSession {
  readonly env: SimEnv;

  constructor(
    readonly target: RunningTarget,
    readonly fixture: Fixture,
    readonly transcript: Transcript,
    protected readonly random: SeededSource,
    readonly signal: AbortSignal,
    protected readonly cleanups: Array<() => unknown>,
  ) {
    this.env = {
      host: target.host,
      port: target.port,
      publicKey: target.publicKey,
      transcript,
      nextKey: () => random.privateKey(),
      signal,
    };
  }

  /** A scripted peer that has finished the RLPx handshake (closed after the test). */
  async dial(options: SimDialOptions = {}): Promise<SimPeer> {
    const peer = await SimPeer.dial(this.env, options);
    this.cleanups.push(() => peer.destroy());
    return peer;
  }

  /** An honest eth session at `options.version` (closed after the test). */
  async connectEth(options: EthConnectOptions): Promise<EthSim> {
    const sim = await EthSim.connect(this.env, this.fixture, options);
    this.cleanups.push(() => sim.peer.destroy());
    return sim;
  }

  /** JSON-RPC on the target; tests that call it must require 'rpc'. */
  rpc(method: string, params: unknown[] = []): Promise<unknown> {
    if (!this.target.rpcUrl) throw new TestSkip('the target has no JSON-RPC endpoint');
    return rpcCall(this.target.rpcUrl, method, params, { signal: this.signal });
  }

  /** Engine API call with a fresh JWT; tests that call it must require 'engine'. */
  engine(method: string, params: unknown[] = []): Promise<unknown> {
    const engine = this.target.engine;
    if (!engine) throw new TestSkip('the target has no Engine API endpoint');
    return rpcCall(engine.url, method, params, { jwtSecret: engine.jwtSecret, signal: this.signal });
  }

  nextKey(): PrivateKey {
    return this.random.privateKey();
  }

  randomBytes(length: number): Uint8Array {
    return this.random.bytes(length);
  }

  /** Runs after the test, last registered first. */
  defer(cleanup: () => unknown): void {
    this.cleanups.push(cleanup);
  }

  log(text: string): void {
    this.transcript.note('test', text);
  }
}

export class TestContext extends TargetSession {
  constructor(
    readonly testId: string,
    target: RunningTarget,
    fixture: Fixture,
    transcript: Transcript,
    random: SeededSource,
    signal: AbortSignal,
    cleanups: Array<() => unknown>,
    private readonly launcher: ((options: LaunchOptions) => Promise<RunningTarget>) | undefined,
  ) {
    super(target, fixture, transcript, random, signal, cleanups);
  }

  /**
   * A private target instance (isolation 'fresh' only), stopped after the
   * test. Sync tests launch one holding a prefix of the fixture.
   */
  async launch(options: LaunchOptions = {}): Promise<TargetSession> {
    if (!this.launcher) throw new TestSkip('the target cannot launch private instances');
    const target = await this.launcher(options);
    this.cleanups.push(() => target.stop());
    return new TargetSession(target, this.fixture, this.transcript, this.random, this.signal, this.cleanups);
  }
}
