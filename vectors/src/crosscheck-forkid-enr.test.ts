/**
 * Independent implementations on the forkid and enr vectors:
 * @ethereumjs/common, built from the same geth-style genesis config, gives the
 * same fork hash and next fork at every head of every forkid vector; the ENR
 * reader of @ethereumjs/devp2p (written for DNS discovery: it reads ip4
 * records only) verifies our signed ip/tcp/udp record and refuses the records
 * whose signature we refuse.
 */
import { Common, createCommonFromGethGenesis, Hardfork, Mainnet, type GethGenesis } from '@ethereumjs/common';
import { ENR } from '@ethereumjs/devp2p';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../reference-node/wire/bytes.js';
import { enrFamily } from './families/enr.js';
import { forkidFamily } from './families/forkid.js';
import { DEFAULT_SEED, type JsonObject } from './format.js';

const ZERO32 = `0x${'00'.repeat(32)}`;

/** A geth genesis.json around a vector's config: only config, timestamp and the hash matter to fork ids. */
function commonFor(input: JsonObject): Common {
  const genesis = {
    config: input.config,
    timestamp: `0x${BigInt(input.genesisTimestamp as string).toString(16)}`,
    gasLimit: '0x1c9c380',
    difficulty: '0x0',
    extraData: '0x',
    nonce: '0x0',
    alloc: {},
    coinbase: `0x${'00'.repeat(20)}`,
    mixHash: ZERO32,
    parentHash: ZERO32,
    number: '0x0',
    gasUsed: '0x0',
  } as unknown as GethGenesis;
  return createCommonFromGethGenesis(genesis, { chain: 'vectors', genesisHash: hexToBytes(input.genesisHash as string) });
}

describe('@ethereumjs/common on the forkid vectors', () => {
  const vectors = forkidFamily.generate(DEFAULT_SEED).filter((v) => v.expected);

  it('gives the same fork hash and next fork at every head', () => {
    for (const v of vectors) {
      const common = commonFor(v.input);
      const head = v.input.head as { number: string; time: string };
      const fork = common.getHardforkBy({ blockNumber: BigInt(head.number), timestamp: BigInt(head.time) });
      const next = common.nextHardforkBlockOrTimestamp(fork) ?? 0n;
      expect([common.forkHash(fork, hexToBytes(v.input.genesisHash as string)), next.toString()], v.name).toEqual([v.expected!.hash, v.expected!.next]);
    }
    expect(vectors.length).toBe(22);
  });

  it('its built-in mainnet announces the merge block as next fork between the merge and Shanghai; EIP-2124 (and geth) the Shanghai time', () => {
    // Written down in vectors/README.md. The hash agrees; only FORK_NEXT differs.
    const v = vectors.find((x) => x.name === 'mainnet-to-prague-last-gray-glacier-pre-shanghai')!;
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Paris });
    expect(common.forkHash(Hardfork.Paris)).toBe(v.expected!.hash);
    expect(common.nextHardforkBlockOrTimestamp(Hardfork.Paris)).toBe(15537394n);
    expect(v.expected!.next).toBe('1681338455');
  });
});

describe('@ethereumjs/devp2p ENR on the enr vectors', () => {
  const vectors = enrFamily.generate(DEFAULT_SEED);

  it('verifies the signature of our ip/tcp/udp record and reads the same endpoint', () => {
    const v = vectors.find((x) => x.name === 'ipv4-tcp-udp')!;
    expect(ENR.parseAndVerifyRecord(v.expected!.text as string)).toEqual({ address: '127.0.0.1', tcpPort: 30303, udpPort: 30301 });
  });

  it('refuses the records whose signature we refuse (tampered content, high s)', () => {
    for (const name of ['bad-signature', 'high-s']) {
      const v = vectors.find((x) => x.name === name)!;
      const text = `enr:${Buffer.from(hexToBytes(v.input.encoded as string)).toString('base64url')}`;
      expect(() => ENR.parseAndVerifyRecord(text), name).toThrow(/Unable to verify ENR signature/);
    }
  });
});
