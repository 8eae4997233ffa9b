import { UsageError } from './errors.js';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/**
 * --name value, --name=value and bare --switch. A flag that is not in `known`
 * is a usage error, so a typo never silently changes what a run checks.
 */
export function parseArgs(argv: string[], known: { values?: string[]; switches?: string[] }): ParsedArgs {
  const values = new Set(known.values ?? []);
  const switches = new Set(known.switches ?? []);
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (switches.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (values.has(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      const all = [...values, ...switches].map((f) => `--${f}`).join(', ');
      throw new UsageError(`unknown flag --${name}${all ? ` (known: ${all})` : ''}`);
    }
  }
  return { positional, flags };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagInt(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
  }
  return Number(v);
}
