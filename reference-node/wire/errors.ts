/**
 * Every wire decoder throws exactly this error type, so callers (the node, the
 * conformance runner, the fuzz oracles) can tell "the peer sent garbage" apart
 * from a bug in our own code with a single instanceof check.
 */
export type DecodeErrorCode =
  | 'rlp' // malformed or non-canonical RLP
  | 'shape' // wrong list arity or a list where bytes belong (or the reverse)
  | 'length' // a field or message of the wrong size
  | 'too-large' // over a protocol size limit
  | 'value' // a well-formed value outside its allowed range
  | 'signature' // bad or unrecoverable signature
  | 'hash' // a hash that does not match its content
  | 'mac' // a failed MAC check
  | 'crypto' // decryption, bad curve point, ECIES failure
  | 'expired' // a discv4 packet past its expiration
  | 'unknown-type'; // an unknown packet, message or transaction type

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    /** What was being decoded, e.g. "enr", "discv4 ping", "eth/68 Status". */
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${what}: ${detail}`);
  }
}

export function isDecodeError(err: unknown): err is DecodeError {
  return err instanceof DecodeError;
}
