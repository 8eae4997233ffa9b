/**
 * A target is a node under test: how to reach it and what it can do. A
 * provider (reference, enode, cmd, docker) launches or attaches to one;
 * tests see only RunningTarget.
 */
import type { PublicKey } from '../../reference-node/wire/keys.js';
import type { Requirement } from '../core/test.js';
import type { Fixture } from '../fixture/fixture.js';

/** What the target declares it supports, plus what the probe learned (eth versions, discv4). */
export type TargetCapability = Requirement;

export interface EngineEndpoint {
  url: string;
  /** 32-byte HS256 secret. */
  jwtSecret: Uint8Array;
}

export interface RunningTarget {
  /** For reports: "reference (legacy)", "enode://ab..@127.0.0.1:30303", the command, the image. */
  readonly description: string;
  readonly host: string;
  /** TCP RLPx port. */
  readonly port: number;
  /** UDP discovery port (usually the same number). */
  readonly udpPort: number;
  readonly publicKey: PublicKey;
  readonly enode: string;
  readonly rpcUrl?: string;
  readonly engine?: EngineEndpoint;
  readonly capabilities: ReadonlySet<TargetCapability>;
  /** The fixture the target holds. */
  readonly fixture: Fixture;
  /** Raw Hello capabilities it announced to the probe, e.g. ["eth/68", "snap/1"]. */
  readonly announcedCaps: readonly string[];
  /** False once the process (or container) is known to be gone. Unknown for enode targets: true. */
  alive(): boolean;
  /** Output the target printed (for crash verdicts and the HTML report); empty if not ours to see. */
  logTail(): string;
  /**
   * Memory in bytes where the target knows it better than a process's RSS
   * (a container: its cgroup's figure, readable without root); absent means
   * the fuzzer reads the RSS of the process that owns the target's port.
   */
  memoryUsage?(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** Options for a private instance launched for one `fresh` test. */
export interface LaunchOptions {
  /** Import only blocks 1..prefix of the fixture (sync tests); default: all. */
  chainPrefix?: number;
  /** Extra node flags the test needs (reference target only: e.g. --mine). */
  extraArgs?: readonly string[];
}

export interface TargetProvider {
  /** For reports and errors. */
  readonly description: string;
  /** True if `launch` can start private instances (otherwise fresh tests are skipped). */
  readonly canLaunchFresh: boolean;
  /** The shared instance for one fixture: started (or attached) once per run. */
  start(fixture: Fixture): Promise<RunningTarget>;
  /** A private instance; only when canLaunchFresh. */
  launch(fixture: Fixture, options: LaunchOptions): Promise<RunningTarget>;
}
