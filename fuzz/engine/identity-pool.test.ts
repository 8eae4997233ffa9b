/**
 * The identity pool must never lend one identity to two live sessions (the
 * target would refuse the second with 0x05, a false finding), must reuse
 * identities (that is its point), and its prepared auths must be accepted by
 * a real target again and again.
 */
import { describe, expect, it } from 'vitest';
import { useReferenceTarget } from '../../test-support/reference-target.js';
import { EthSim } from '../../conformance/sim/eth-sim.js';
import { bytesToHex } from '../../reference-node/wire/bytes.js';
import { generatePrivateKey, publicKeyOf } from '../../reference-node/wire/keys.js';
import { CampaignContext } from './context.js';
import { IdentityPool, REUSE_AFTER_MS } from './identity-pool.js';

const key = (id: { privateKey: Uint8Array }) => bytesToHex(id.privateKey);

describe('IdentityPool', () => {
  it('lends each identity once at a time, reuses released ones after they rest, and makes one-offs when all are lent', () => {
    let now = 0;
    const pool = new IdentityPool(publicKeyOf(generatePrivateKey()), 4, () => now);
    const lent = [0, 1, 2, 3].map(() => pool.take());
    expect(new Set(lent.map(key)).size).toBe(4);
    const oneOff = pool.take();
    expect(lent.map(key)).not.toContain(key(oneOff));
    oneOff.release();
    expect(pool.lentCount).toBe(4);

    lent[2]!.release();
    lent[0]!.release();
    // Not rested yet: a one-off, not the identity whose session just closed.
    expect([key(lent[0]!), key(lent[2]!)]).not.toContain(key(pool.take()));
    now += REUSE_AFTER_MS;
    expect(key(pool.take())).toBe(key(lent[2]!)); // first released, first reused
    expect(key(pool.take())).toBe(key(lent[0]!));
    expect(lent.map(key)).not.toContain(key(pool.take())); // none free again
  });

  it('a release after a retarget does not return the old identity, and new ones carry an auth for the new target', () => {
    let now = 0;
    const pool = new IdentityPool(publicKeyOf(generatePrivateKey()), 2, () => now);
    const old = pool.take();
    const target = publicKeyOf(generatePrivateKey());
    pool.retarget(target);
    old.release();
    now += REUSE_AFTER_MS;
    const a = pool.take();
    const b = pool.take();
    expect([key(a), key(b)]).not.toContain(key(old));
    expect(bytesToHex(a.preparedAuth.options.remotePublicKey)).toBe(bytesToHex(target));
    expect(pool.lentCount).toBe(2);
  });
});

describe('pooled sessions against the reference node', () => {
  const ref = useReferenceTarget();

  it('240 sessions, 16 at a time, each closed and its identity reused: every one gets Hello and Status', async () => {
    const ctx = new CampaignContext(ref.target, ref.fixture, new AbortController().signal);
    const keys = new Set<string>();
    const failures: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 240) {
          next++;
          try {
            const sim = await EthSim.connect(ctx.pooledSimEnv(), ref.fixture, { version: ctx.ethVersion, timeoutMs: 5_000, name: 'pooled' });
            keys.add(bytesToHex(sim.peer.privateKey));
            sim.close();
            await sim.peer.waitForEnd(5_000);
          } catch (err) {
            failures.push((err as Error).message);
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    // Identities were reused: sessions this short outrun the rest period, so one-offs fill the gaps, but
    // at least a pool's worth of sessions ran on a reused key (and prepared auth).
    expect(240 - keys.size).toBeGreaterThanOrEqual(48);
    ctx.abortConnections();
  }, 120_000);
});
