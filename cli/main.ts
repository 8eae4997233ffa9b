/**
 * devp2p-check entry point: dispatches to one module per command group and maps
 * errors to the exit codes and one-line messages promised in DESIGN.md.
 */
import { DecodeError } from '../reference-node/wire/errors.js';
import { EXIT_UNREACHABLE, EXIT_USAGE, UnreachableError, UsageError } from './errors.js';

export type CommandRunner = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: CommandRunner }> }> = {
  key: { summary: 'key generate | key enode <hexkey> [--ip IP] [--port P]', load: () => import('./commands/key.js') },
  enr: { summary: 'enr decode <enr:...>', load: () => import('./commands/enr.js') },
  rlpx: { summary: 'rlpx ping <enode>', load: () => import('./commands/rlpx.js') },
  discv4: { summary: 'discv4 ping <enode>', load: () => import('./commands/discv4.js') },
  fixture: {
    summary: 'fixture generate --out DIR --profile modern|legacy --blocks N --seed S [--txs-per-block K]',
    load: () => import('./commands/fixture.js'),
  },
  vectors: {
    summary: 'vectors generate [--out DIR] [--seed S] | vectors verify [DIR] [--reference DIR]',
    load: () => import('./commands/vectors.js'),
  },
  conform: {
    summary:
      'conform [--target reference|enode://..|cmd:"..."] [--chain DIR] [--profile legacy|modern|both] [--run GLOBS] [--list] [--seed S] [--jobs N] [--shard I/N] [--junit F] [--json F] [--html F] [--hive-results DIR]',
    load: () => import('./commands/conform.js'),
  },
  fuzz: { summary: 'fuzz --campaign handshake|frame|p2p|eth|discv4|session [--target T] [--seed N] [--runs N | --time 60s] [--corpus DIR] [--jobs N] | fuzz replay FILE|DIR', load: () => import('./commands/fuzz.js') },
  node: {
    summary:
      'node [--datadir D] [--port P] [--host IP] [--nodekey HEX | --nodekeyfile F] [--bootnodes enode,...] [--nodiscover] [--nodial] [--maxpeers N] [--static enode,...] [--trusted enode,...] [--http.port N]',
    load: () => import('./commands/node.js'),
  },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  devp2p-check ${c.summary}`);
  return ['usage:', ...lines].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`devp2p-check: unknown command "${name}"\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    const { run } = await command.load();
    return await run(rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof DecodeError) {
      console.error(`devp2p-check ${name}: ${err.message}`);
      return EXIT_USAGE;
    }
    if (err instanceof UnreachableError) {
      console.error(`devp2p-check ${name}: ${err.message}`);
      return EXIT_UNREACHABLE;
    }
    throw err;
  }
}
