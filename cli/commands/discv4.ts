import { UsageError } from '../errors.js';

// Placeholder until the discv4 command lands.
export async function run(_argv: string[]): Promise<number> {
  throw new UsageError('discv4: not available yet');
}
