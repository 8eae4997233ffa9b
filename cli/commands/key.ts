import { isIP } from 'node:net';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { formatEnode } from '../../reference-node/wire/enode.js';
import { generatePrivateKey, parsePrivateKeyHex, publicKeyOf } from '../../reference-node/wire/keys.js';
import { flagInt, flagString, parseArgs } from '../args.js';
import { UsageError } from '../errors.js';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'generate') {
    parseArgs(rest, {});
    console.log(bytesToHex(generatePrivateKey()));
    return 0;
  }
  if (sub === 'enode') {
    const args = parseArgs(rest, { values: ['ip', 'port'] });
    const [hex] = args.positional;
    if (hex === undefined) throw new UsageError('key enode needs a private key in hex');
    const key = parsePrivateKeyHex(hex);
    const port = flagInt(args, 'port', 0, 65535) ?? 30303;
    const ip = flagString(args, 'ip') ?? '127.0.0.1';
    if (isIP(ip) === 0) throw new UsageError(`--ip must be an IP address literal, got "${ip}"`);
    console.log(formatEnode({ publicKey: publicKeyOf(key), ip, tcpPort: port, udpPort: port }));
    return 0;
  }
  throw new UsageError('usage: key generate | key enode <hexkey> [--ip IP] [--port P]');
}
