/**
 * How a sync step can fail. PeerFault: the peer sent something a correct
 * peer never sends (a header that does not link, a body that does not match,
 * nothing where it must have data, no answer in time); the sync drops it.
 * SyncAborted: the sync was stopped or its target replaced.
 *
 * The drop reason is geth's: the downloader reports a bad peer through the
 * handler's removePeer, which disconnects with DiscUselessPeer (0x03).
 */
import { DisconnectReason } from '../wire/p2p.js';

export const SYNC_DROP_REASON = DisconnectReason.UselessPeer;

export type PeerFaultKind =
  | 'bad-header' // a header that is not what was asked for, or does not link
  | 'withheld' // an empty answer for data the peer must have
  | 'bad-body' // a body that matches none of the requested headers
  | 'invalid-chain' // the blocks failed validation or execution on import
  | 'false-td' // the head it announced has a lower total difficulty than it claimed
  | 'timeout';

export class PeerFault extends Error {
  override readonly name = 'PeerFault';
  constructor(
    readonly kind: PeerFaultKind,
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`);
  }
}

/** The peer went away in the middle of a request (nothing to drop). */
export class PeerGone extends Error {
  override readonly name = 'PeerGone';
}

export class SyncAborted extends Error {
  override readonly name = 'SyncAborted';
  constructor() {
    super('sync aborted');
  }
}

/** Resolves or rejects as `promise` does, or rejects with SyncAborted as soon as `signal` fires. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new SyncAborted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SyncAborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
