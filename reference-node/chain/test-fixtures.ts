/**
 * Small genesis files for tests, in geth's JSON form. Values are arbitrary but
 * cover what the parser must handle: code, storage with short keys, nonces,
 * hex and decimal quantities, Clique signers in extraData.
 */
export const SIGNER = '0x7e5f4552091a69125d5dfcb7b8c2659029395bdf'; // address of private key 1

/** Every block-numbered fork from Homestead to London active at genesis. */
export const BLOCK_FORKS_TO_LONDON_AT_ZERO = {
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
} as const;

export function cliqueLondonGenesis(): Record<string, unknown> {
  return {
    config: {
      chainId: 1337,
      ...BLOCK_FORKS_TO_LONDON_AT_ZERO,
      clique: { period: 1, epoch: 30000 },
    },
    nonce: '0x0',
    timestamp: '0x6000',
    extraData: `0x${'00'.repeat(32)}${SIGNER.slice(2)}${'00'.repeat(65)}`,
    gasLimit: '0x1c9c380',
    difficulty: '0x1',
    mixHash: `0x${'00'.repeat(32)}`,
    coinbase: `0x${'00'.repeat(20)}`,
    alloc: {
      [SIGNER]: { balance: '0x3635c9adc5dea00000' },
      '0000000000000000000000000000000000000aaa': {
        balance: '1',
        nonce: '0x2',
        code: '0x600160005500',
        storage: { '0x01': '0x2a', [`0x${'11'.repeat(32)}`]: `0x${'ff'.repeat(32)}`, '0x02': '0x00' },
      },
    },
  };
}

export function pragueAtGenesis(): Record<string, unknown> {
  return {
    config: {
      chainId: '0x539',
      ...BLOCK_FORKS_TO_LONDON_AT_ZERO,
      mergeNetsplitBlock: 0,
      terminalTotalDifficulty: 0,
      shanghaiTime: 0,
      cancunTime: 0,
      pragueTime: 0,
      blobSchedule: {
        cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 },
        prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
      },
    },
    timestamp: '0x0',
    extraData: '0x',
    gasLimit: '30000000',
    difficulty: '0x0',
    baseFeePerGas: '0x7',
    excessBlobGas: '0x60000',
    blobGasUsed: '0x0',
    alloc: {
      '0x0000000000000000000000000000000000000bbb': { balance: '0xde0b6b3a7640000', code: '0x00' },
    },
  };
}
