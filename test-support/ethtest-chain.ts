/**
 * geth's ethtest chain from ../shared (600 blocks after a Prague genesis), with
 * the facts a peer needs for a Status: network id, genesis hash, head, TD and
 * fork ID. The genesis hash is the parentHash of block 1 (the README's value).
 */
import { decodeBlockSequence, headerHash, type Block } from '../reference-node/wire/block.js';
import { computeForkId, gatherForks } from '../reference-node/wire/forkid.js';
import type { ForkId } from '../reference-node/wire/forkid.js';
import { readSharedBytes, readSharedJson } from './shared.js';

export interface EthtestChain {
  genesisJson: { config: Record<string, unknown>; difficulty: string; timestamp: string } & Record<string, unknown>;
  networkId: bigint;
  genesisHash: Uint8Array;
  blocks: Block[];
  hashes: Uint8Array[];
  head: Block;
  headHash: Uint8Array;
  td: bigint;
  forkId: ForkId;
}

let cached: EthtestChain | undefined;

export function loadEthtestChain(): EthtestChain {
  if (cached) return cached;
  const genesisJson = readSharedJson<EthtestChain['genesisJson']>('vectors-reference', 'geth-ethtest-chain', 'genesis.json');
  const blocks = decodeBlockSequence(readSharedBytes('vectors-reference', 'geth-ethtest-chain', 'chain.rlp'));
  const hashes = blocks.map((b) => headerHash(b.header));
  const head = blocks[blocks.length - 1]!;
  const genesisHash = blocks[0]!.header.parentHash;
  const td = blocks.reduce((sum, b) => sum + b.header.difficulty, BigInt(genesisJson.difficulty));
  const forks = gatherForks(genesisJson.config, BigInt(genesisJson.timestamp));
  cached = {
    genesisJson,
    networkId: BigInt(genesisJson.config['chainId'] as number),
    genesisHash,
    blocks,
    hashes,
    head,
    headHash: hashes[hashes.length - 1]!,
    td,
    forkId: computeForkId(genesisHash, forks, { number: head.header.number, time: head.header.timestamp }),
  };
  return cached;
}
