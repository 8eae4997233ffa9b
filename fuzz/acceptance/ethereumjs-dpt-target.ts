/**
 * `--target ethereumjs-dpt`: an @ethereumjs/devp2p DPT in a child process
 * (ethereumjs-dpt-child.mjs), a discv4-only node on 127.0.0.1 for the discv4
 * campaign, since @ethereumjs/client runs here with its discovery off. It
 * has no RLPx (TCP port 0), so the engine's canary is the discv4 Ping/Pong
 * (engine/udp-canary.ts); alive is the child process being alive, and the
 * memory oracle finds it by its UDP socket. Needs the dev dependencies
 * (@ethereumjs/devp2p).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildTarget } from '../../conformance/targets/child-process.js';
import type { Fixture } from '../../conformance/fixture/fixture.js';
import type { RunningTarget, TargetProvider } from '../../conformance/targets/target.js';
import { hexToBytes } from '../../reference-node/wire/bytes.js';

export const ETHEREUMJS_DPT_TARGET = 'ethereumjs-dpt';

const START_TIMEOUT_MS = 30_000;
const here = dirname(fileURLToPath(import.meta.url));
/** Not compiled: beside this file in the source tree, or found from dist/fuzz/acceptance. */
const childScript = existsSync(resolve(here, 'ethereumjs-dpt-child.mjs')) ? resolve(here, 'ethereumjs-dpt-child.mjs') : resolve(here, '../../../fuzz/acceptance/ethereumjs-dpt-child.mjs');

export class EthereumjsDptTargetProvider implements TargetProvider {
  readonly description = '@ethereumjs/devp2p DPT (discv4 only, 127.0.0.1)';
  readonly canLaunchFresh = true;

  start(fixture: Fixture): Promise<RunningTarget> {
    return this.launch(fixture);
  }

  async launch(fixture: Fixture): Promise<RunningTarget> {
    // DEBUG is cleared: devp2p's debug output for every refused packet would flood the log ring.
    const child = ChildTarget.spawn(process.execPath, [childScript], { env: { ...process.env, DEBUG: '' } });
    try {
      const m = await child.waitForLine(/enode:\/\/([0-9a-f]{128})@127\.0\.0\.1:0\?discport=(\d+)/, START_TIMEOUT_MS, 'its enode');
      const udpPort = Number(m[2]);
      return {
        description: `ethereumjs-dpt (pid ${child.child.pid})`,
        host: '127.0.0.1',
        port: 0,
        udpPort,
        publicKey: hexToBytes(m[1]!),
        enode: m[0]!,
        capabilities: new Set(['discv4', fixture.profile === 'legacy' ? 'profile:legacy' : 'profile:modern']),
        fixture,
        announcedCaps: [],
        alive: () => child.alive(),
        logTail: () => child.logTail(),
        stop: () => child.stop(),
      };
    } catch (err) {
      await child.stop();
      throw err;
    }
  }
}
