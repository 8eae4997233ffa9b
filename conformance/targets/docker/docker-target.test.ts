/**
 * docker: targets against a real daemon, on a short fixture: the container
 * runs on the host network with our labels and holds the fixture; shared and
 * private instances get their own loopback ports; a container that dies is
 * noticed; containers of dead runs are reaped and live ones are not; a
 * missing image and a missing daemon are clear errors. Skipped, with the
 * reason in the test names, where no daemon answers.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedFixture } from '../../../test-support/fixture-cache.js';
import { loadFixture, type Fixture } from '../../fixture/fixture.js';
import { rpcCall } from '../rpc-client.js';
import type { RunningTarget } from '../target.js';
import { LABEL, OWNER_LABEL, ownerId, reapOrphans, RUN_LABEL, trackedCount } from './cleanup.js';
import { containersOf, dockerOrReason, ensureImages, REFERENCE_IMAGE } from './docker-support.js';
import { DockerError } from './errors.js';
import { DockerTargetProvider } from './provider.js';

const daemon = await dockerOrReason();
const docker = 'docker' in daemon ? daemon.docker : undefined;
const skip = 'reason' in daemon ? ` (${daemon.reason})` : '';

describe.skipIf(!docker)(`docker: target${skip}`, () => {
  let fixture: Fixture;
  const provider = new DockerTargetProvider({ image: REFERENCE_IMAGE });
  const started: RunningTarget[] = [];

  beforeAll(async () => {
    await ensureImages('reference-node');
    fixture = await loadFixture((await cachedFixture({ profile: 'legacy', blocks: 40, seed: 'docker-target', txsPerBlock: 1 })).dir);
  }, 900_000);
  afterAll(async () => {
    await Promise.allSettled(started.map((t) => t.stop()));
  }, 60_000);

  it('starts the image on the host network, labelled, holding the fixture, ready for a handshake and RPC', async () => {
    const target = await provider.start(fixture);
    started.push(target);
    expect(target.host).toBe('127.0.0.1');
    expect(target.enode).toMatch(new RegExp(`^enode://[0-9a-f]{128}@127\\.0\\.0\\.1:${target.port}$`));
    expect([...target.capabilities]).toEqual(expect.arrayContaining(['rpc', 'dial-out', 'discv4', 'profile:legacy', 'eth/66', 'eth/67', 'eth/68']));
    expect(target.capabilities.has('engine')).toBe(false);
    expect(await rpcCall(target.rpcUrl!, 'eth_blockNumber')).toBe('0x28');
    const head = (await rpcCall(target.rpcUrl!, 'eth_getBlockByNumber', ['latest', false])) as { hash: string };
    expect(head.hash.slice(2)).toBe(Buffer.from(fixture.head.hash).toString('hex'));

    const [info] = await containersOf(docker!, process.pid);
    expect(info).toBeDefined();
    const inspect = await docker!.getContainer(info!.Id).inspect();
    expect(inspect.HostConfig.NetworkMode).toBe('host');
    expect(inspect.Config.Labels).toMatchObject({ [LABEL]: '1', [OWNER_LABEL]: ownerId(), 'devp2p-check.instance': 'shared' });
    expect(inspect.Config.Env).toEqual(expect.arrayContaining(['HIVE_NETWORK_ID=1337', 'HIVE_CHAIN_ID=1337', 'HIVE_CLIQUE_PERIOD=1', `DEVP2P_CHECK_P2P_PORT=${target.port}`, 'DEVP2P_CHECK_HOST=127.0.0.1']));
    expect(target.logTail()).toMatch(/enode: enode:\/\//);
    expect(target.alive()).toBe(true);
  }, 300_000);

  it('launches a private instance beside it, on its own ports, with the chain prefix it asks for', async () => {
    const fresh = await provider.launch(fixture, { chainPrefix: 0 });
    started.push(fresh);
    expect(fresh.port).not.toBe(started[0]!.port);
    expect(fresh.rpcUrl).not.toBe(started[0]!.rpcUrl);
    expect(await rpcCall(fresh.rpcUrl!, 'eth_blockNumber')).toBe('0x0');
    expect(await containersOf(docker!, process.pid)).toHaveLength(2);
    await fresh.stop();
    expect(fresh.alive()).toBe(false);
    expect(await containersOf(docker!, process.pid)).toHaveLength(1);
  }, 300_000);

  it('notices a container that dies, and keeps what it printed', async () => {
    const target = await provider.launch(fixture, { chainPrefix: 3 });
    started.push(target);
    const [info] = (await containersOf(docker!, process.pid)).filter((c) => c.Labels['devp2p-check.instance'] === 'private');
    await docker!.getContainer(info!.Id).kill();
    const end = Date.now() + 10_000;
    while (target.alive() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(target.alive()).toBe(false);
    expect(target.logTail()).toMatch(/head 3\b|enode:/);
    await target.stop();
    expect((await containersOf(docker!, process.pid)).map((c) => c.Labels['devp2p-check.instance'])).toEqual(['shared']);
  }, 300_000);

  it('stop() removes the container, and nothing stays registered for the exit handler', async () => {
    await started[0]!.stop();
    expect(started[0]!.alive()).toBe(false);
    expect(await containersOf(docker!, process.pid)).toEqual([]);
    expect(trackedCount()).toBe(0);
  }, 60_000);

  it('reaps containers whose owner process is gone, and only those', async () => {
    // A pid that surely is gone: a child that has exited.
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((r) => child.on('exit', () => r(child.pid!)));
    const make = (owner: string) =>
      docker!.createContainer({ Image: REFERENCE_IMAGE, Entrypoint: ['/bin/sh', '-c', 'sleep 60'], Labels: { [LABEL]: '1', [OWNER_LABEL]: owner, [RUN_LABEL]: 'reap-test' }, HostConfig: { NetworkMode: 'host' } });
    const orphan = await make(ownerId(deadPid));
    const mine = await make(ownerId());
    try {
      const reaped = await reapOrphans(docker!);
      expect(reaped.length).toBeGreaterThanOrEqual(1);
      await expect(orphan.inspect()).rejects.toMatchObject({ statusCode: 404 });
      expect((await mine.inspect()).Id).toBe(mine.id);
    } finally {
      await Promise.allSettled([orphan.remove({ force: true }), mine.remove({ force: true })]);
    }
  }, 60_000);

  it('refuses an image the daemon does not have, without pulling it', async () => {
    const missing = new DockerTargetProvider({ image: 'devp2p-check/no-such-image:never' });
    const err = await missing.start(fixture).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).code).toBe('image-missing');
    expect((err as DockerError).message).toMatch(/never pulls/);
    expect(await docker!.listImages({ filters: { reference: ['devp2p-check/no-such-image'] } })).toEqual([]);
  }, 60_000);

  it('says when a container exits before it is ready, with its output', async () => {
    const provider2 = new DockerTargetProvider({ image: REFERENCE_IMAGE, startTimeoutMs: 60_000 });
    // A genesis the node refuses: the start script's node exits at once.
    const broken = { ...fixture, genesisPath: fixture.chainPath };
    const err = await provider2.start(broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).code).toBe('start-failed');
    expect((err as DockerError).message).toMatch(/exited .*container output/s);
    expect(await containersOf(docker!, process.pid)).toEqual([]);
  }, 120_000);
});
