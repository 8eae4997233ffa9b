import { UsageError } from '../errors.js';

// Placeholder until the enr command lands.
export async function run(_argv: string[]): Promise<number> {
  throw new UsageError('enr: not available yet');
}
