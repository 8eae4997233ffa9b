/**
 * The disconnect reason for every way an eth peer can fail us, in one table
 * so the conformance suite and the fault switches can name them.
 *
 * geth (eth/protocols/eth) returns plain Go errors from its handshake and
 * handlers; p2p.discReasonForError maps any error that is not a DiscReason
 * to DiscSubprotocolError (0x10). The handshake timeout is p2p.DiscReadTimeout
 * itself (0x0b). So everything below is 0x10 as in geth, except:
 *   - announcementMismatch: 0x03, as geth (its tx fetcher drops the peer
 *     with handler.removePeer, which sends DiscUselessPeer);
 *   - statusTimeout: 0x0b, as geth;
 *   - statusNotFirst, statusTwice: 0x02. geth sends 0x10 (errNoStatusMsg,
 *     errInvalidMsgCode), but eth.md makes Status the first message and the
 *     only one of its kind, so breaking that is a breach of the protocol;
 *     this project's brief asks for 0x02 here;
 *   - a payload that does not decode, or a code the version does not define:
 *     0x02, the p2p layer's rule for DecodeError (reasonForError in
 *     p2p/protocol.ts); geth sends 0x10.
 */
import { DisconnectReason } from '../wire/p2p.js';
import { ProtocolDisconnect } from '../p2p/protocol.js';

export const EthDisconnectReasons = {
  /** Their Status names another network (geth errNetworkIDMismatch). */
  networkIdMismatch: DisconnectReason.SubprotocolError,
  /** Their Status version is not the negotiated one (geth errProtocolVersionMismatch). */
  versionMismatch: DisconnectReason.SubprotocolError,
  /** geth errGenesisMismatch. */
  genesisMismatch: DisconnectReason.SubprotocolError,
  /** The EIP-2124 filter rejected their fork ID (geth errForkIDRejected). */
  forkIdRejected: DisconnectReason.SubprotocolError,
  /** eth/69+ Status or BlockRangeUpdate with earliest > latest or a zero hash (geth errInvalidBlockRange / Validate). */
  invalidBlockRange: DisconnectReason.SubprotocolError,
  /** No Status within the timeout (geth p2p.DiscReadTimeout). */
  statusTimeout: DisconnectReason.PingTimeout,
  /** The first eth message was not Status. */
  statusNotFirst: DisconnectReason.ProtocolBreach,
  /** A second Status. */
  statusTwice: DisconnectReason.ProtocolBreach,
  /** A message above 10 MiB (geth errMsgTooLarge). */
  messageTooLarge: DisconnectReason.SubprotocolError,
  /** A response whose request id we never issued (geth tracker ErrNoMatchingRequest). */
  unsolicitedResponse: DisconnectReason.SubprotocolError,
  /** A response of another kind than the request with that id (geth ErrCodeMismatch). */
  responseKindMismatch: DisconnectReason.SubprotocolError,
  /** More items than requested (geth ErrTooManyItems). */
  responseTooLarge: DisconnectReason.SubprotocolError,
  /** NewBlock or NewBlockHashes after the merge (geth: "disallowed block announcement"). */
  blockAnnouncementAfterMerge: DisconnectReason.SubprotocolError,
  /** NewBlock with a total difficulty wider than 100 bits (geth NewBlockPacket.sanityCheck). */
  newBlockTdTooLarge: DisconnectReason.SubprotocolError,
  /** Transactions with more than 5000 txs (geth maxTransactionAnnouncements: "too many transactions"). */
  tooManyTransactions: DisconnectReason.SubprotocolError,
  /** A blob tx in Transactions (geth: "disallowed broadcast blob transaction"; EIP-4844 allows announcements only). */
  blobTxBroadcast: DisconnectReason.SubprotocolError,
  /** One hash twice in a Transactions message (geth: "multiple copies of the same hash"). */
  duplicateTransaction: DisconnectReason.SubprotocolError,
  /**
   * A delivered tx whose type differs from the peer's eth/68 announcement, or
   * whose size differs by more than 8 bytes. geth's tx fetcher drops such a
   * peer through handler.removePeer, which disconnects with DiscUselessPeer.
   */
  announcementMismatch: DisconnectReason.UselessPeer,
} as const;

export type EthDisconnectCause = keyof typeof EthDisconnectReasons;

/** Thrown inside a handler: the session turns it into a Disconnect with the cause's reason. */
export class EthProtocolError extends ProtocolDisconnect {
  constructor(
    readonly ethCause: EthDisconnectCause,
    message: string,
  ) {
    super(EthDisconnectReasons[ethCause], `${ethCause}: ${message}`);
  }
}
