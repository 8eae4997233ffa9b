/** Why a miner cannot seal the next block; the code says whether waiting can help. */
export type MinerErrorCode =
  /** Not in the Clique signer list at the parent (a vote may add it later). */
  | 'unauthorized'
  /** Signed one of the last floor(N/2)+1 blocks; another signer must seal first. */
  | 'recently-signed'
  /** The chain has no Clique config (CliqueMiner) or is not past the merge (DevMiner). */
  | 'wrong-consensus'
  /** stop() was called while sealing. */
  | 'stopped';

export class MinerError extends Error {
  override readonly name = 'MinerError';
  constructor(
    readonly code: MinerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
