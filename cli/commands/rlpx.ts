import { UsageError } from '../errors.js';

// Placeholder until the rlpx command lands.
export async function run(_argv: string[]): Promise<number> {
  throw new UsageError('rlpx: not available yet');
}
