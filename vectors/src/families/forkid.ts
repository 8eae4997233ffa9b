/**
 * EIP-2124 fork ids from geth-style genesis configs: for each chain, the fork
 * id a node announces at heads on both sides of every fork, and its RLP.
 * Fork gathering follows geth's forkid.gatherForks: every `*Block` and
 * `*Time` field, block 0 and time forks at or before genesis dropped (EIP-6122).
 * Invalid: fork id encodings geth's rlp decoding of forkid.ID refuses.
 */
import { equalBytes } from '../../../reference-node/wire/bytes.js';
import { computeForkId, decodeForkId, encodeForkId, gatherForks } from '../../../reference-node/wire/forkid.js';
import { encodeRlp } from '../../../reference-node/wire/rlp.js';
import { DECIMAL, HEX, obj, type Family } from '../family.js';
import { hexField, invalidVector, stringField, type JsonObject, type Vector } from '../format.js';
import { hex, seededBytes, unhex } from '../keys.js';

/**
 * Mainnet's fork schedule through Prague, as in geth's params.MainnetChainConfig
 * (fields named as in a geth genesis.json). Osaka and the BPO forks are left
 * out so the table matches the published EIP-2124/geth values up to Prague.
 */
export const MAINNET_CONFIG: JsonObject = {
  chainId: 1,
  homesteadBlock: 1150000,
  daoForkBlock: 1920000,
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
  shanghaiTime: 1681338455,
  cancunTime: 1710338135,
  pragueTime: 1746612311,
};
export const MAINNET_GENESIS = '0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3';
export const MAINNET_MERGE_BLOCK = 15537394n;

interface Head {
  number: bigint;
  time: bigint;
}

function forkIdAt(input: JsonObject, head: Head) {
  const forks = gatherForks(input.config as JsonObject, BigInt(stringField(input, 'genesisTimestamp')));
  return computeForkId(unhex(hexField(input, 'genesisHash')), forks, head);
}

export const forkidFamily: Family = {
  name: 'forkid',
  title: 'EIP-2124 fork ids from geth-style genesis configs',
  schema: {
    input: obj({ genesisHash: HEX, genesisTimestamp: DECIMAL, config: { type: 'object' }, head: obj({ number: DECIMAL, time: DECIMAL }) }),
    expected: obj({ hash: HEX, next: DECIMAL, encoded: HEX }),
    invalidInput: obj({ encoded: HEX }),
  },

  generate(seed) {
    const vectors: Vector[] = [];
    const add = (chain: string, genesisHash: string, genesisTimestamp: bigint, config: JsonObject, heads: [string, Head][]) => {
      for (const [label, head] of heads) {
        const input: JsonObject = {
          genesisHash,
          genesisTimestamp: genesisTimestamp.toString(),
          config,
          head: { number: head.number.toString(), time: head.time.toString() },
        };
        const id = forkIdAt(input, head);
        vectors.push({
          name: `${chain}-${label}`,
          description: `${chain} at block ${head.number}, time ${head.time}`,
          input,
          expected: { hash: hex(id.hash), next: id.next.toString(), encoded: hex(encodeForkId(id)) },
        });
      }
    };
    // Before the merge the time is irrelevant; give a pre-Shanghai time.
    const pre = (n: number): Head => ({ number: BigInt(n), time: 1600000000n });
    const post = (t: number): Head => ({ number: MAINNET_MERGE_BLOCK + 1000000n, time: BigInt(t) });
    add('mainnet-to-prague', MAINNET_GENESIS, 0n, MAINNET_CONFIG, [
      ['genesis', pre(0)],
      ['last-frontier', pre(1149999)],
      ['homestead', pre(1150000)],
      ['dao', pre(1920000)],
      ['tangerine', pre(2463000)],
      ['spurious', pre(2675000)],
      ['byzantium', pre(4370000)],
      ['petersburg', pre(7280000)],
      ['istanbul', pre(9069000)],
      ['muir-glacier', pre(9200000)],
      ['berlin', pre(12244000)],
      ['london', pre(12965000)],
      ['arrow-glacier', pre(13773000)],
      ['last-gray-glacier-pre-shanghai', post(1681338454)],
      ['shanghai', post(1681338455)],
      ['cancun', post(1710338135)],
      ['prague', post(1746612311)],
      ['future', post(2000000000)],
    ]);
    // A devnet with all block forks at 0 and time forks from a seeded genesis, one of them at genesis time.
    const genesisTime = 1700000000n + BigInt(seededBytes(seed, 'forkid/devnet-time')[0]!);
    const devnet: JsonObject = {
      chainId: 1337,
      homesteadBlock: 0,
      eip150Block: 0,
      eip155Block: 0,
      eip158Block: 0,
      byzantiumBlock: 0,
      constantinopleBlock: 0,
      petersburgBlock: 0,
      istanbulBlock: 0,
      berlinBlock: 0,
      londonBlock: 0,
      mergeNetsplitBlock: 0,
      terminalTotalDifficulty: 0,
      shanghaiTime: Number(genesisTime),
      cancunTime: Number(genesisTime) + 100,
      pragueTime: Number(genesisTime) + 200,
      osakaTime: null,
    };
    const t = (dt: number): Head => ({ number: 10n, time: genesisTime + BigInt(dt) });
    add('devnet', hex(seededBytes(seed, 'forkid/devnet-genesis')), genesisTime, devnet, [
      ['genesis', t(0)],
      ['before-cancun', t(99)],
      ['cancun', t(100)],
      ['prague', t(200)],
    ]);
    const invalid = (name: string, description: string, bytes: Uint8Array, code: string) =>
      vectors.push(invalidVector(name, description, { encoded: hex(bytes) }, code, () => decodeForkId(bytes)));
    invalid('hash-5-bytes', 'fork hash is 4 bytes', encodeRlp([Uint8Array.of(1, 2, 3, 4, 5), 0n]), 'length');
    invalid('next-9-bytes', 'fork next is a uint64', encodeRlp([Uint8Array.of(1, 2, 3, 4), 1n << 64n]), 'too-large');
    invalid('three-elements', 'a fork id is [hash, next]', encodeRlp([Uint8Array.of(1, 2, 3, 4), 0n, 0n]), 'shape');
    invalid('next-leading-zero', 'fork next 0x0001 is not canonical', encodeRlp([Uint8Array.of(1, 2, 3, 4), Uint8Array.of(0, 1)]), 'rlp');
    return vectors;
  },

  checkValid(vector) {
    const out: string[] = [];
    const headJson = vector.input.head as JsonObject;
    const id = forkIdAt(vector.input, { number: BigInt(stringField(headJson, 'number')), time: BigInt(stringField(headJson, 'time')) });
    const e = vector.expected!;
    if (hex(id.hash) !== e.hash) out.push('fork hash differs');
    if (id.next.toString() !== e.next) out.push('fork next differs');
    const encoded = unhex(hexField(e, 'encoded'));
    if (!equalBytes(encodeForkId(id), encoded)) out.push('encoding differs');
    const back = decodeForkId(encoded);
    if (hex(back.hash) !== e.hash || back.next.toString() !== e.next) out.push('decoding the encoding differs');
    return out;
  },

  decodeInvalid(vector) {
    return decodeForkId(unhex(hexField(vector.input, 'encoded')));
  },
};
