/**
 * Reading a Disconnect whose form (snappy-compressed or plain) may not be the
 * one the session negotiated. EIP-706 says which form is right, and the
 * conformance tests of framing judge that. A fuzzer asks another question,
 * which reason the target gave, and must not lose the answer because the
 * target (ethereumjs sends its Disconnect plain after a v5 Hello) or our own
 * model (a Hello it thinks malformed, the target took as v5) is wrong about
 * the form. So it may read both forms and record which one it saw.
 *
 * Trying both is safe because a Disconnect payload is a few bytes: a plain
 * one never inflates as a snappy block (its first byte reads as a declared
 * length with no data after it), and a compressed one never decodes as RLP
 * (the length varint is followed by more bytes). disconnect-form.test.ts
 * checks this for every reason 0x00-0x10 in both encodings.
 */
import { DecodeError } from '../../reference-node/wire/errors.js';
import { decodeDisconnect } from '../../reference-node/wire/p2p.js';
import { snappyDecompress } from '../../reference-node/wire/rlpx/snappy.js';

export type DisconnectForm = 'snappy' | 'plain';

export interface DisconnectReading {
  reason: number | undefined;
  form: DisconnectForm;
}

export function otherForm(form: DisconnectForm): DisconnectForm {
  return form === 'snappy' ? 'plain' : 'snappy';
}

/** The reason in msg-data as it came off the wire, read in `form` only (DecodeError if it is not that form). */
export function decodeDisconnectAs(wire: Uint8Array, form: DisconnectForm): number | undefined {
  return decodeDisconnect(form === 'snappy' ? snappyDecompress(wire) : wire).reason;
}

/**
 * The negotiated form first, then (if `either`) the other one; undefined when
 * no allowed form decodes.
 */
export function readDisconnect(wire: Uint8Array, negotiated: DisconnectForm, either: boolean): DisconnectReading | undefined {
  for (const form of either ? [negotiated, otherForm(negotiated)] : [negotiated]) {
    try {
      return { reason: decodeDisconnectAs(wire, form), form };
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
    }
  }
  return undefined;
}

/** ", sent snappy-compressed" or ", sent plain"; for describing a session's end. */
export function describeForm(form: DisconnectForm): string {
  return form === 'snappy' ? 'sent snappy-compressed' : 'sent plain';
}
