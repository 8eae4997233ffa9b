/**
 * The `cmd:` template that launches @ethereumjs/client as a conformance
 * target, on loopback only: its discv4 stays off (it would ping whatever
 * address it hears of, see ../shared/notes), so runs against it pass
 * `--without discv4` and the discv4 suite is skipped with that reason.
 * It gets the fixture through --gethGenesis and --loadBlocksFromRlp, and the
 * same preloads as the interop harness (one copy of each @ethereumjs
 * package, TCP_NODELAY).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), existsSync(resolve(dirname(fileURLToPath(import.meta.url)), '../package.json')) ? '..' : '../..');

export function ethereumjsCommandTemplate(): string {
  const entry = resolve(root, 'node_modules/@ethereumjs/client/dist/esm/bin/cli.js');
  const preload = resolve(root, 'test-support/ethereumjs-client-preload.mjs');
  const noDelay = resolve(root, 'test-support/ethereumjs-nodelay.cjs');
  // It writes log files into its working directory, so it runs from inside {datadir}.
  return [
    `mkdir -p {datadir} && cd {datadir} && ETHJS_CLIENT_ENTRY=${entry} DEBUG= exec ${process.execPath}`,
    `--import ${preload} --require ${noDelay} ${entry}`,
    '--gethGenesis {genesis} --dataDir {datadir} --port {port} --extIP 127.0.0.1',
    '--discV4=false --discDns=false --dnsAddr 127.0.0.1',
    '--rpc --rpcAddr 127.0.0.1 --rpcPort {rpcport} --logLevel info --logFile false',
    '--loadBlocksFromRlp {chain}',
  ].join(' ');
}
