/**
 * What the target may answer to the Hello we sent (rlpx.md "Hello (0x00)"
 * and its disconnect table, EIP-8), as the list of every fault the bytes hold.
 * No fault: the Hello must be accepted. Otherwise the target must refuse it,
 * and it may name any one of the faults: which check a client runs first is
 * its own business, so the allowed reasons are the union.
 *
 *   - malformed (bad RLP, a field of the wrong type, over 2048 bytes):
 *     0x02 breach of protocol, or 0x10 (geth's answer to any decode error);
 *   - a malformed capability tuple (["eth", "eth", 68], a version that is a
 *     list): the same, or 0x03. A receiver that tolerates odd elements in a
 *     tuple, as EIP-8 asks it to tolerate extra Hello elements, reads it as
 *     some capability it does not know and may find none in common;
 *   - a null node id: 0x07, or 0x09 (it is not the handshake key either);
 *   - another node id than the handshake's key: 0x09;
 *   - no capability in common with the target's Hello: 0x03.
 *
 * For a malformed Hello the parts that are well formed are still judged: a
 * malformed listenPort and another node id may be refused for either.
 */
import { ETH_MESSAGE_COUNTS } from '../../reference-node/p2p/capabilities.js';
import { equalBytes } from '../../reference-node/wire/bytes.js';
import { DecodeError } from '../../reference-node/wire/errors.js';
import { decodeHello, DisconnectReason, negotiateCapabilities, P2P_MAX_MESSAGE_SIZE, type Capability, type Hello } from '../../reference-node/wire/p2p.js';
import { asBytes, asExactList, asFixedBytes, asList, asNumber, decodeRlp, type RlpItem } from '../../reference-node/wire/rlp.js';

export interface HelloFault {
  what: string;
  reasons: readonly number[];
}

export interface HelloJudgement {
  /** The Hello as our strict decoder reads it; undefined when it is malformed. */
  hello: Hello | undefined;
  /** Empty for a valid Hello. */
  faults: HelloFault[];
}

export const MALFORMED_REASONS: readonly number[] = [DisconnectReason.ProtocolBreach, DisconnectReason.SubprotocolError];
const CAP_TUPLE_REASONS: readonly number[] = [...MALFORMED_REASONS, DisconnectReason.UselessPeer];

const WHAT = 'p2p Hello';
const textDecoder = new TextDecoder();

export function judgeHello(bytes: Uint8Array, ownKey: Uint8Array, remote: Hello): HelloJudgement {
  try {
    const hello = decodeHello(bytes);
    return { hello, faults: [...identityFaults(hello.nodeId, ownKey), ...capabilityFaults(hello.capabilities, remote)] };
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return { hello: undefined, faults: malformedFaults(bytes, ownKey, remote, err) };
  }
}

/** Every reason some fault allows, in the order the faults were found. */
export function allowedReasons(faults: readonly HelloFault[]): number[] {
  return [...new Set(faults.flatMap((f) => f.reasons))];
}

export function describeFaults(faults: readonly HelloFault[]): string {
  return `a Hello with ${faults.map((f) => f.what).join(' and ')}`;
}

function identityFaults(nodeId: Uint8Array, ownKey: Uint8Array): HelloFault[] {
  if (nodeId.every((b) => b === 0)) return [{ what: 'a null node id', reasons: [DisconnectReason.NullIdentity, DisconnectReason.UnexpectedIdentity] }];
  if (!equalBytes(nodeId, ownKey)) return [{ what: 'a node id that is not the handshake key', reasons: [DisconnectReason.UnexpectedIdentity] }];
  return [];
}

function capabilityFaults(caps: readonly Capability[], remote: Hello): HelloFault[] {
  const known = caps.filter((x) => ETH_MESSAGE_COUNTS[x.name]?.[x.version] !== undefined);
  const shared = negotiateCapabilities(known, remote.capabilities, ETH_MESSAGE_COUNTS);
  // A capability both sides name but we have no message count for still counts as shared for the target.
  if (shared.length === 0 && !remote.capabilities.some((r) => caps.some((o) => o.name === r.name && o.version === r.version))) {
    return [{ what: 'no capability in common', reasons: [DisconnectReason.UselessPeer] }];
  }
  return [];
}

/** Runs one strict field decoder; its DecodeError becomes the result. */
function attempt<T>(decode: () => T): T | DecodeError {
  try {
    return decode();
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
}

/** Field by field, with decodeHello's checks, so each fault is found and the well-formed parts are still judged. */
function malformedFaults(bytes: Uint8Array, ownKey: Uint8Array, remote: Hello, strict: DecodeError): HelloFault[] {
  const malformed = (err: DecodeError): HelloFault => ({ what: `a malformed field (${err.message})`, reasons: MALFORMED_REASONS });
  if (bytes.length > P2P_MAX_MESSAGE_SIZE) return [malformed(strict)];
  const list = attempt(() => asList(decodeRlp(bytes, WHAT), WHAT, 5));
  if (list instanceof DecodeError) return [malformed(list)];

  const faults: HelloFault[] = [];
  const scalars: Array<() => unknown> = [() => asNumber(list[0], `${WHAT} protocolVersion`), () => asBytes(list[1], `${WHAT} clientId`), () => asNumber(list[3], `${WHAT} listenPort`)];
  for (const check of scalars) {
    const r = attempt(check);
    if (r instanceof DecodeError) faults.push(malformed(r));
  }
  const caps = attempt(() => asList(list[2], `${WHAT} capabilities`));
  if (caps instanceof DecodeError) faults.push(malformed(caps));
  else {
    const good: Capability[] = [];
    for (const [i, item] of caps.entries()) {
      const cap = attempt(() => capability(item, i));
      if (cap instanceof DecodeError) faults.push({ what: `a malformed capability tuple (${cap.message})`, reasons: CAP_TUPLE_REASONS });
      else good.push(cap);
    }
    faults.push(...capabilityFaults(good, remote));
  }
  const nodeId = attempt(() => asFixedBytes(list[4], `${WHAT} nodeId`, 64));
  if (nodeId instanceof DecodeError) faults.push(malformed(nodeId));
  else faults.push(...identityFaults(nodeId, ownKey));
  // Never judge a Hello the strict decoder refused as if it were fine.
  if (!faults.some((f) => f.reasons.includes(DisconnectReason.ProtocolBreach))) faults.unshift(malformed(strict));
  return faults;
}

function capability(item: RlpItem, i: number): Capability {
  const pair = asExactList(item, `${WHAT} capability ${i}`, 2);
  return { name: textDecoder.decode(asBytes(pair[0], `${WHAT} capability ${i} name`)), version: asNumber(pair[1], `${WHAT} capability ${i} version`) };
}
