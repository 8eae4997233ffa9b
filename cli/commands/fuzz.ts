/**
 * `devp2p-check fuzz`: property-based wire fuzzing of a target (issue 7).
 * Placeholder while the campaign engine is built.
 */
import { UsageError } from '../errors.js';

export const FUZZ_USAGE =
  'fuzz [--target reference|enode://..|cmd:"..."] --campaign handshake|frame|p2p|eth|discv4|session [--seed N] [--runs N | --time 60s] [--corpus DIR] [--jobs N] [--fault NAMES] | fuzz replay FILE|DIR';

export async function run(_argv: string[]): Promise<number> {
  throw new UsageError(`fuzz is not built yet (usage: ${FUZZ_USAGE})`);
}
