import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSharedJson } from '../../test-support/shared.js';
import { bigIntToFixed, bytesToHex, concatBytes, hexToBytes } from './bytes.js';
import { DecodeError } from './errors.js';
import {
  computeForkId,
  crc32,
  decodeForkId,
  encodeForkId,
  gatherForks,
  normalizeForks,
  validateForkId,
  type ForkIdVerdict,
  type ForkSchedule,
} from './forkid.js';

interface CreationRow {
  head: number;
  time?: number;
  hash: string;
  next: string | number;
}
interface ForkIdVectors {
  mainnetGenesisHash: string;
  mainnetForkActivations: { blocks: number[]; timestamps: number[] };
  eip2124: {
    creation: Record<'Mainnet' | 'Ropsten' | 'Rinkeby' | 'Goerli', CreationRow[]>;
    validation: { cases: { localHead: number; remote: { hash: string; next: string }; expect: string }[] };
    rlpEncoding: { hash: string; next: string; rlp: string }[];
  };
  gethMainnetCreation: { cases: CreationRow[] };
}

const vectors = readSharedJson<ForkIdVectors>('vectors-reference', 'forkid-eip2124.json');
const mainnetGenesis = hexToBytes(vectors.mainnetGenesisHash);

const VERDICT: Record<string, ForkIdVerdict> = {
  accept: 'accept',
  ErrRemoteStale: 'remote-stale',
  ErrLocalIncompatibleOrStale: 'local-incompatible-or-stale',
};

const big = (xs: readonly (number | string)[]): bigint[] => xs.map((x) => BigInt(x));
const id = (hash: string, next: bigint | number | string) => ({ hash: hexToBytes(hash), next: BigInt(next) });
const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * Fork activations of the networks in the EIP-2124 creation table, as they
 * stood when the EIP was written (Petersburg on mainnet, Istanbul on the
 * testnets). Written like geth's chain configs, forks at block 0 included, so
 * that dropping them is exercised too. Provenance: the block numbers are the
 * ones the EIP's own row comments name ("First Spurious block" and so on) and
 * agree with go-ethereum params/config.go (Ropsten, Rinkeby and Goerli configs);
 * the testnet genesis hashes are go-ethereum's params.{Ropsten,Rinkeby,Goerli}GenesisHash.
 */
const EIP2124_NETWORKS: Record<keyof ForkIdVectors['eip2124']['creation'], { genesis: string; blocks: number[] }> = {
  Mainnet: {
    genesis: vectors.mainnetGenesisHash,
    blocks: [1150000, 1920000, 2463000, 2675000, 2675000, 4370000, 7280000, 7280000],
  },
  Ropsten: {
    genesis: '41941023680923e0fe4d74a34bdac8141f2540e3ae90623718e47d66d1ca4a2d',
    blocks: [0, 0, 10, 10, 1700000, 4230000, 4939394, 6485846],
  },
  Rinkeby: {
    genesis: '6341fd3daf94b748c72ced5a5b26028f2474f5f00d824504e4fa37a75767e177',
    blocks: [1, 2, 3, 3, 1035301, 3660663, 4321234, 5435345],
  },
  Goerli: {
    genesis: 'bf7e331f7f7c1dd2e05159666b3bf8bc7a8a3a9eb1d518969eab529dd9b88c1a',
    blocks: [0, 0, 0, 0, 0, 0, 0, 1561651],
  },
};

describe('crc32', () => {
  it('matches node:zlib (an independent implementation), also when resumed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 50 }), (a, b) => {
        expect(crc32(a)).toBe(zlibCrc32(a));
        expect(crc32(b, crc32(a))).toBe(zlibCrc32(concatBytes(a, b)));
      }),
    );
  });

  it('gives the EIP-2124 mainnet genesis checksum fc64ec04', () => {
    expect(crc32(mainnetGenesis).toString(16).padStart(8, '0')).toBe('fc64ec04');
  });
});

describe('computeForkId: EIP-2124 creation table', () => {
  for (const network of ['Mainnet', 'Ropsten', 'Rinkeby', 'Goerli'] as const) {
    const rows = vectors.eip2124.creation[network];
    it(`${network}: ${rows.length} rows`, () => {
      const net = EIP2124_NETWORKS[network];
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        const got = computeForkId(hexToBytes(net.genesis), { blocks: big(net.blocks), times: [] }, {
          number: BigInt(row.head),
          time: 0n,
        });
        expect({ head: row.head, hash: bytesToHex(got.hash), next: got.next }).toEqual({
          head: row.head,
          hash: row.hash,
          next: BigInt(row.next),
        });
      }
    });
  }
});

describe('computeForkId: geth mainnet creation with timestamp forks', () => {
  const schedule: ForkSchedule = {
    blocks: big(vectors.mainnetForkActivations.blocks),
    times: big(vectors.mainnetForkActivations.timestamps),
  };

  it('has all 38 rows', () => {
    expect(vectors.gethMainnetCreation.cases).toHaveLength(38);
  });

  it.each(vectors.gethMainnetCreation.cases.map((c) => [c.head, c.time ?? 0, c.hash, c.next] as const))(
    'head %i time %i -> %s next %s',
    (head, time, hash, next) => {
      const got = computeForkId(mainnetGenesis, schedule, { number: BigInt(head), time: BigInt(time) });
      expect(bytesToHex(got.hash)).toBe(hash);
      expect(got.next).toBe(BigInt(next));
    },
  );

  it('is independent of the order and repetition of the listed forks', () => {
    const shuffled: ForkSchedule = {
      blocks: [...schedule.blocks].reverse().concat(schedule.blocks[3]!, 0n),
      times: [...schedule.times].reverse().concat(schedule.times[0]!),
    };
    for (const c of vectors.gethMainnetCreation.cases) {
      const head = { number: BigInt(c.head), time: BigInt(c.time ?? 0) };
      expect(computeForkId(mainnetGenesis, shuffled, head)).toEqual(computeForkId(mainnetGenesis, schedule, head));
    }
  });
});

describe('validateForkId', () => {
  // The EIP's local node: mainnet knowing the forks up to Petersburg (listed in the vector file's note).
  const petersburg: ForkSchedule = { blocks: big([1150000, 1920000, 2463000, 2675000, 4370000, 7280000]), times: [] };

  it('EIP-2124 validation table: all 15 cases', () => {
    const cases = vectors.eip2124.validation.cases;
    expect(cases).toHaveLength(15);
    for (const c of cases) {
      const verdict = validateForkId(mainnetGenesis, petersburg, { number: BigInt(c.localHead), time: 0n }, id(c.remote.hash, c.remote.next));
      expect({ ...c, verdict }).toEqual({ ...c, verdict: VERDICT[c.expect] });
    }
  });

  it('EIP-2124 verdicts hold when the local head carries a real timestamp (block `next` values are not times)', () => {
    // The EIP predates time forks; a block-era head has a timestamp far above every
    // block number, and a remote `next` below geth's threshold must still be read as a block.
    for (const c of vectors.eip2124.validation.cases) {
      const head = { number: BigInt(c.localHead), time: 1_546_000_000n };
      expect(validateForkId(mainnetGenesis, petersburg, head, id(c.remote.hash, c.remote.next))).toBe(VERDICT[c.expect]);
    }
  });

  it('a node that knows no time forks rejects a peer whose announced time fork its head time has passed', () => {
    // Rule 1a with a timestamp `next`: the remote expected a fork at 1681338455 (Shanghai)
    // that the local chain, without that fork in its schedule, went past.
    const grayGlacier: ForkSchedule = { blocks: big(vectors.mainnetForkActivations.blocks), times: [] };
    const remote = id('f0afd0e3', 1681338455n);
    expect(validateForkId(mainnetGenesis, grayGlacier, { number: 17_000_000n, time: 1_681_338_455n }, remote)).toBe(
      'local-incompatible-or-stale',
    );
    expect(validateForkId(mainnetGenesis, grayGlacier, { number: 17_000_000n, time: 1_681_338_454n }, remote)).toBe('accept');
  });

  /**
   * Block-to-timestamp transition and timestamp-only cases. Provenance: the
   * rows of go-ethereum core/forkid/forkid_test.go TestValidation from the
   * revision where mainnet's last scheduled fork was Shanghai (gethTest data,
   * not part of EIP-2124). Local schedule: mainnet blocks up to Gray Glacier and
   * Shanghai at 1681338455. Checksums extended past a fork at 2^64-1 are
   * computed here with node:zlib, not with the code under test.
   */
  describe('geth timestamp-era cases (mainnet up to Shanghai)', () => {
    const shanghai: ForkSchedule = {
      blocks: big([1150000, 1920000, 2463000, 2675000, 4370000, 7280000, 9069000, 9200000, 12244000, 12965000, 13773000, 15050000]),
      times: [1681338455n],
    };
    const extendWithMax = (hash: string) =>
      bytesToHex(bigIntToFixed(BigInt(zlibCrc32(bigIntToFixed(MAX_UINT64, 8), Number.parseInt(hash, 16))), 4));
    const rows: [number, number, string, bigint, ForkIdVerdict][] = [
      // transition
      [15050000, 0, 'f0afd0e3', 0n, 'accept'],
      [15050000, 0, 'f0afd0e3', 1681338455n, 'accept'],
      [15050000, 0, 'f0afd0e3', MAX_UINT64, 'accept'],
      [20000000, 1681338455, 'f0afd0e3', 1681338455n, 'accept'],
      [20123456, 1681338456, 'f0afd0e3', 1681338455n, 'accept'],
      [20000000, 1681338455, '20c327fc', 15050000n, 'accept'],
      [15050000, 0, 'dce96c2d', 0n, 'accept'],
      [13773000, 0, 'f0afd0e3', 0n, 'accept'],
      [20000000, 1681338455, 'f0afd0e3', 0n, 'remote-stale'],
      [15050000, 0, extendWithMax('f0afd0e3'), 0n, 'local-incompatible-or-stale'],
      [15050000, 0, extendWithMax('dce96c2d'), 0n, 'local-incompatible-or-stale'],
      [888888888, 1660000000, 'f0afd0e3', 1660000000n, 'local-incompatible-or-stale'],
      [19999999, 1667999999, 'f0afd0e3', 1667999999n, 'local-incompatible-or-stale'],
      // timestamp only
      [20000000, 1681338455, 'dce96c2d', 0n, 'accept'],
      [20000000, 1681338455, 'dce96c2d', MAX_UINT64, 'accept'],
      [20000000, 1681338455, extendWithMax('dce96c2d'), 0n, 'local-incompatible-or-stale'],
      [20000000, 1681338455, '12345678', 0n, 'local-incompatible-or-stale'],
      [88888888, 8888888888, 'dce96c2d', 8888888888n, 'local-incompatible-or-stale'],
    ];
    it.each(rows)('head %i time %i remote %s/%s -> %s', (head, time, hash, next, want) => {
      expect(validateForkId(mainnetGenesis, shanghai, { number: BigInt(head), time: BigInt(time) }, id(hash, next))).toBe(want);
    });
  });

  it('agrees with itself: every fork ID a node on the same chain announces is accepted', () => {
    // The same schedule seen from two heads of one chain must never be rejected (EIP-2124 goal).
    const schedule: ForkSchedule = {
      blocks: big(vectors.mainnetForkActivations.blocks),
      times: big(vectors.mainnetForkActivations.timestamps),
    };
    const heads = vectors.gethMainnetCreation.cases.map((c) => ({ number: BigInt(c.head), time: BigInt(c.time ?? 0) }));
    for (const local of heads) {
      for (const remote of heads) {
        const remoteId = computeForkId(mainnetGenesis, schedule, remote);
        const verdict = validateForkId(mainnetGenesis, schedule, local, remoteId);
        expect({ local, remote, verdict }).toEqual({ local, remote, verdict: 'accept' });
      }
    }
  });
});

describe('gatherForks', () => {
  it('reads the geth ethtest chain config: only Cancun and Prague remain', () => {
    const genesis = readSharedJson<{ config: Record<string, unknown>; timestamp: string }>(
      'vectors-reference',
      'geth-ethtest-chain',
      'genesis.json',
    );
    expect(gatherForks(genesis.config, BigInt(genesis.timestamp))).toEqual({ blocks: [], times: [60n, 120n] });
  });

  /**
   * The README's fork IDs for this chain are marked "derived here, not yet
   * confirmed against geth"; the CRC32 in the expectations below is computed
   * with node:zlib over genesis || uint64(fork), independently of crc32() here.
   */
  it('gives the ethtest chain fork IDs the vectors README lists (8fd57d63, e8d31f82, 377aaa78)', () => {
    const genesis = readSharedJson<{ config: Record<string, unknown>; timestamp: string }>(
      'vectors-reference',
      'geth-ethtest-chain',
      'genesis.json',
    );
    const genesisHash = hexToBytes('bd6a252af394d80904c5993b859574bd4669642cea00a116970ec7887db67533');
    const forks = gatherForks(genesis.config, BigInt(genesis.timestamp));
    const zlibHex = (...parts: Uint8Array[]) => zlibCrc32(concatBytes(...parts)).toString(16).padStart(8, '0');
    const u64 = (n: bigint) => bigIntToFixed(n, 8);
    expect(zlibHex(genesisHash)).toBe('8fd57d63');
    expect(zlibHex(genesisHash, u64(60n))).toBe('e8d31f82');
    expect(zlibHex(genesisHash, u64(60n), u64(120n))).toBe('377aaa78');

    const at = (number: bigint, time: bigint) => {
      const f = computeForkId(genesisHash, forks, { number, time });
      return `${bytesToHex(f.hash)}/${f.next}`;
    };
    expect(at(0n, 0n)).toBe('8fd57d63/60');
    expect(at(5n, 59n)).toBe('8fd57d63/60');
    expect(at(6n, 60n)).toBe('e8d31f82/120');
    expect(at(11n, 119n)).toBe('e8d31f82/120');
    expect(at(12n, 120n)).toBe('377aaa78/0');
    expect(at(600n, 6000n)).toBe('377aaa78/0'); // the head block 600 has timestamp 6000
  });

  it('drops time forks at or before the genesis timestamp (geth TestTimeBasedForkInGenesis rule)', () => {
    const t = 1690475657n;
    const base = { homesteadBlock: 0, londonBlock: 0, mergeNetsplitBlock: 0 };
    expect(gatherForks({ ...base, shanghaiTime: Number(t - 1n), cancunTime: Number(t + 1n) }, t).times).toEqual([t + 1n]);
    expect(gatherForks({ ...base, shanghaiTime: Number(t), cancunTime: Number(t + 1n) }, t).times).toEqual([t + 1n]);
    expect(gatherForks({ ...base, shanghaiTime: Number(t + 1n), cancunTime: Number(t + 2n) }, t).times).toEqual([
      t + 1n,
      t + 2n,
    ]);
    // and then the fork ID at genesis is the bare genesis checksum with the first later fork as next
    const g = hexToBytes('11'.repeat(32));
    const f = computeForkId(g, gatherForks({ ...base, shanghaiTime: Number(t), cancunTime: Number(t + 1n) }, t), {
      number: 0n,
      time: t,
    });
    expect(bytesToHex(f.hash)).toBe(zlibCrc32(g).toString(16).padStart(8, '0'));
    expect(f.next).toBe(t + 1n);
  });

  it('takes only *Block and *Time fields, sorted and deduplicated, and skips nulls', () => {
    const config = {
      chainId: 1,
      homesteadBlock: 1150000,
      daoForkBlock: 1920000,
      daoForkSupport: true,
      eip150Block: 2463000,
      eip155Block: 2675000,
      eip158Block: 2675000,
      byzantiumBlock: 4370000,
      constantinopleBlock: 7280000,
      petersburgBlock: 7280000,
      istanbulBlock: 9069000,
      muirGlacierBlock: 9200000,
      berlinBlock: 12244000,
      londonBlock: 12965000,
      arrowGlacierBlock: 13773000,
      grayGlacierBlock: 15050000,
      mergeNetsplitBlock: null,
      terminalTotalDifficulty: 58750000000000000000000,
      shanghaiTime: 1681338455,
      pragueTime: '1746612311',
      cancunTime: '0x65f1b057', // 1710338135
      osakaTime: 1764798551n,
      depositContractAddress: '0x00000000219ab540356cbb839cbe05303d7705fa',
      blobSchedule: { cancun: { target: 3, max: 6 } },
      ethash: {},
    };
    expect(gatherForks(config, 1438269973n)).toEqual({
      blocks: big(vectors.mainnetForkActivations.blocks),
      times: big(vectors.mainnetForkActivations.timestamps.slice(0, 4)),
    });
  });

  it('rejects fork values that are not uint64 with a DecodeError', () => {
    for (const bad of [-1, 1.5, 'abc', '-3', true, {}, 2 ** 60, '0x1' + '0'.repeat(16)]) {
      expect(() => gatherForks({ londonBlock: bad }, 0n)).toThrow(DecodeError);
    }
  });

  it('normalizeForks drops zeros and duplicates and sorts numerically', () => {
    expect(normalizeForks({ blocks: [10n, 0n, 9n, 10n, 100n], times: [0n, 5n, 5n] })).toEqual({
      blocks: [9n, 10n, 100n],
      times: [5n],
    });
  });
});

describe('fork ID RLP', () => {
  it.each(vectors.eip2124.rlpEncoding.map((c) => [c.hash, c.next, c.rlp] as const))(
    'encodes %s/%s as %s and back',
    (hash, next, rlp) => {
      expect(bytesToHex(encodeForkId(id(hash, next)))).toBe(rlp);
      expect(decodeForkId(hexToBytes(rlp))).toEqual(id(hash, next));
    },
  );

  it('rejects malformed fork IDs with DecodeError', () => {
    const bad = [
      '', // empty
      'c0', // no fields
      'c58400000000', // no next
      'c7840000000080c0', // extra element
      'c5830000008080', // hash of 3 bytes
      'c785000000000080', // hash of 5 bytes
      'c78400000000820001', // non-canonical next (leading zero)
      'd084ffffffff89010000000000000000', // next over 64 bits
      'c684000000008000', // trailing byte
      'c6c40000000080', // hash is a list
      '8400000000', // not a list
      'd0' + '84ffffffff' + '8affffffffffffffffffff', // longer than any fork ID (next of 10 bytes)
    ];
    for (const hex of bad) {
      expect(() => decodeForkId(hexToBytes(hex)), hex).toThrow(DecodeError);
    }
  });

  it('round-trips any fork ID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.bigInt({ min: 0n, max: MAX_UINT64 }), (hash, next) => {
        expect(decodeForkId(encodeForkId({ hash, next }))).toEqual({ hash, next });
      }),
    );
  });

  it('arbitrary bytes decode to a fork ID that re-encodes to the same bytes, or throw DecodeError', () => {
    const nearValid = fc
      .tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.bigInt({ min: 0n, max: MAX_UINT64 }), fc.nat(20), fc.nat(255))
      .map(([hash, next, pos, byte]) => {
        const b = encodeForkId({ hash, next }).slice();
        if (pos < b.length) b[pos] = byte;
        return b;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), nearValid), (bytes) => {
        let decoded;
        try {
          decoded = decodeForkId(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
          return;
        }
        expect(encodeForkId(decoded)).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses to encode a hash that is not 4 bytes or a next outside uint64', () => {
    expect(() => encodeForkId({ hash: new Uint8Array(3), next: 0n })).toThrow(RangeError);
    expect(() => encodeForkId({ hash: new Uint8Array(4), next: MAX_UINT64 + 1n })).toThrow(RangeError);
    expect(() => encodeForkId({ hash: new Uint8Array(4), next: -1n })).toThrow(RangeError);
  });
});
