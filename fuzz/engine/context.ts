/**
 * Everything a campaign needs to reach the target: the running target (which
 * the engine may replace after a crash), the fixture it holds, the eth
 * version to speak, and SimEnv values for conformance's scripted peers.
 */
import { setMaxListeners } from 'node:events';
import { Transcript } from '../../conformance/sim/transcript.js';
import type { SimEnv } from '../../conformance/sim/sim-peer.js';
import { IdentityPool } from './identity-pool.js';
import type { Fixture } from '../../conformance/fixture/fixture.js';
import type { RunningTarget } from '../../conformance/targets/target.js';
import { generatePrivateKey } from '../../reference-node/wire/keys.js';
import type { EthVersion } from '../../reference-node/wire/eth/types.js';

export class CampaignContext {
  private controller = CampaignContext.controller();

  constructor(
    public target: RunningTarget,
    readonly fixture: Fixture,
    /** Stops waits when the run is stopped (SIGINT, time up). */
    readonly stopSignal: AbortSignal,
  ) {}

  /** The highest eth version the target announced that we speak (eth/66..70). */
  get ethVersion(): EthVersion {
    const versions = [...this.target.capabilities].filter((c) => /^eth\/\d+$/.test(c)).map((c) => Number(c.slice(4)));
    const v = Math.max(...versions.filter((x) => x >= 66 && x <= 70));
    if (!Number.isFinite(v)) throw new Error(`the target announced no eth version from 66 to 70 (caps ${this.target.announcedCaps.join(',')})`);
    return v as EthVersion;
  }

  /** True when the fixture's chain is past the merge (NewBlock must then be refused). */
  get postMerge(): boolean {
    return this.fixture.profile === 'modern';
  }

  /** A SimEnv for conformance's SimPeer/EthSim, with its own transcript (campaigns keep only the bytes they sent). */
  simEnv(transcript = new Transcript()): SimEnv {
    return {
      host: this.target.host,
      port: this.target.port,
      publicKey: this.target.publicKey,
      transcript,
      nextKey: generatePrivateKey,
      signal: this.controller.signal,
    };
  }

  private identities: IdentityPool | undefined;

  /**
   * A SimEnv whose peers dial with pooled identities and prepared auths
   * (identity-pool.ts): for campaigns that churn through honest sessions. The
   * canary keeps fresh keys: it stands for a peer the target has never seen.
   */
  pooledSimEnv(transcript = new Transcript()): SimEnv {
    return {
      ...this.simEnv(transcript),
      identity: () => {
        this.identities ??= new IdentityPool(this.target.publicKey);
        this.identities.retarget(this.target.publicKey);
        return this.identities.take();
      },
    };
  }

  /** Closes every connection made through simEnv (used on restart and at the end). */
  abortConnections(): void {
    this.controller.abort();
    this.controller = CampaignContext.controller();
  }

  /** Every session listens on the signal; thousands of them are normal here. */
  private static controller(): AbortController {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  }
}
