/**
 * What a conformance test is: a declarative value the runner can select,
 * schedule and report on without running it. Suites export arrays of these.
 */
import type { TestContext } from './context.js';

/** RFC 2119 strength of the clause a test checks; only MUST failures fail a run. */
export type Level = 'MUST' | 'SHOULD';

/**
 * What a test needs from its target. A target that lacks one makes the test
 * a skip with the reason, never a pass.
 *
 * - `rpc`: JSON-RPC (eth_*, admin_nodeInfo) on loopback
 * - `engine`: the Engine API with a JWT secret we know
 * - `dial-out`: the target dials nodes we name (admin_addPeer or static nodes)
 * - `mining`: the target makes blocks itself
 * - `fresh-target`: we can launch a private instance (the test changes chain state)
 * - `profile:legacy` / `profile:modern`: the fixture chain is pre- or post-merge
 * - `eth/66` ... `eth/70`: the target offers that eth version
 * - `discv4`: the target answers discovery on UDP
 */
export type Requirement =
  | 'rpc'
  | 'engine'
  | 'dial-out'
  | 'mining'
  | 'fresh-target'
  | 'profile:legacy'
  | 'profile:modern'
  | 'discv4'
  | `eth/${66 | 67 | 68 | 69 | 70}`;

/**
 * How a test shares its target:
 * - `shared` (default): runs beside other tests; it only reads chain state
 *   and looks only at its own connections;
 * - `exclusive`: runs alone on the shared target, because it counts the
 *   target's peers (broadcast fan-out) or its answers to everyone;
 * - `fresh`: gets a private target instance (sync, imports, mining).
 */
export type Isolation = 'shared' | 'exclusive' | 'fresh';

export interface ConformanceTest {
  /** Stable, globbable, lower-case: `<suite>/<area>/<case>`, eth tests as `eth/<version>/<area>/<case>`. */
  id: string;
  title: string;
  /** Clause in ../shared/specs, e.g. `caps/eth.md#status-0x00` or `EIP-8`. */
  spec: string;
  level: Level;
  requires: readonly Requirement[];
  isolation?: Isolation;
  /** Deadline for `run`; default DEFAULT_TEST_TIMEOUT_MS. Waits for silence should be shorter than this. */
  timeoutMs?: number;
  /** Resolves on pass. Throws TestFailure (conformance/core/failure.ts) on a verdict of fail. */
  run(ctx: TestContext): Promise<void>;
}

export const DEFAULT_TEST_TIMEOUT_MS = 20_000;

export function suiteOf(test: Pick<ConformanceTest, 'id'>): string {
  return test.id.split('/')[0]!;
}
