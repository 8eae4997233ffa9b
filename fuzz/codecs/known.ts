/**
 * Disagreements between our decoders and the independent ones that are
 * written down, each with the spec's answer. `npm run fuzz:codecs` fails on
 * any class no entry here matches. A pattern matches the class keys that
 * differential.ts prints ("ours rejects (code: field) / theirs accepts").
 */
export interface KnownDisagreement {
  target: string;
  id: string;
  pattern: RegExp;
  /** What differs, and who the spec sides with (with the clause). */
  specAnswer: string;
}

export const KNOWN_DISAGREEMENTS: readonly KnownDisagreement[] = [
  {
    target: 'rlp',
    id: 'rlp-empty-input',
    pattern: /^ours rejects \(rlp: rlp\) \/ theirs accepts$/,
    specAnswer: 'ours: @ethereumjs/rlp decodes an empty input as an empty byte string, but the empty sequence is not an RLP item (Yellow Paper B: every item has a prefix or is one byte)',
  },
  {
    target: 'discv4',
    id: 'discv4-eip868-packets',
    pattern: /^ours accepts \/ theirs rejects \(Invalid type: #\)$/,
    specAnswer: 'ours: ENRRequest (0x05) and ENRResponse (0x06) are discv4 packets since EIP-868; @ethereumjs/devp2p DPT knows only types 1-4',
  },
  {
    target: 'discv4',
    id: 'discv4-expiration-4-bytes',
    pattern: /^ours accepts \/ theirs rejects \(Invalid timestamp bytes :#x…?\)$/,
    specAnswer: 'ours: expiration is a uint64 (discv4.md), any canonical integer; ethereumjs requires exactly 4 bytes, so it drops valid packets whose expiration is below 2^24 or above 2^32',
  },
  {
    target: 'discv4',
    id: 'discv4-wide-integers',
    pattern: /^ours accepts \/ theirs rejects \(Number exceeds # bits\)$/,
    specAnswer: 'ours: Ping version is any uint64 and must be ignored (EIP-8); ethereumjs converts it to a JS number and throws above 2^53',
  },
  {
    target: 'discv4',
    id: 'discv4-ip-length',
    pattern: /^ours accepts \/ theirs rejects \(Invalid address bytes: #x…\)$/,
    specAnswer: 'both defensible: discv4.md gives the IP as 4 or 16 bytes; ours (as geth) decodes other lengths as an address it never dials, ethereumjs rejects the packet',
  },
  {
    target: 'discv4',
    id: 'discv4-unchecked-fields',
    pattern: /^ours rejects \((shape|rlp|length|value): discv4 [^)]*\) \/ theirs accepts$/,
    specAnswer: 'ours: ethereumjs reads packet fields without checking their RLP type, size or canonical form (a 65-byte findnode target, a list as a port, 0x0001 as a port); discv4.md types every field and RLP integers are canonical',
  },
  {
    target: 'enr',
    id: 'enr-requires-ip-tcp-udp',
    pattern: /^ours accepts \/ theirs rejects \((Cannot read properties of undefined \(reading '(buffer|length)'\)|Offset is outside the bounds of the DataView)\)$/,
    specAnswer: 'ours: EIP-778 makes every entry optional and ports big-endian integers; ethereumjs ENR.parseAndVerifyRecord throws a TypeError without "ip", "tcp" or "udp", or when a port is not exactly 2 bytes (any port below 256 in canonical form)',
  },
  {
    target: 'enr',
    id: 'enr-unchecked-fields',
    pattern: /^ours rejects \((shape|rlp|length|value|too-large|unknown-type): enr[^)]*\) \/ theirs accepts$/,
    specAnswer: 'ours: ethereumjs does not check the identity scheme ("id" must be "v4"), seq (uint64, canonical), key order and uniqueness, the 300-byte limit or port sizes (EIP-778 "Record Structure")',
  },
  {
    target: 'rlpx-auth',
    id: 'auth-unchecked-fields',
    pattern: /^ours rejects \((length|shape|rlp): rlpx auth( nonce| version)?\) \/ theirs accepts$/,
    specAnswer: 'ours: ethereumjs does not check the nonce size (32 bytes), and ignores a missing, list-typed or non-canonical auth-vsn; rlpx.md types the auth body, EIP-8 allows other version numbers and extra elements, not a missing or malformed version',
  },
  {
    target: 'rlpx-auth',
    id: 'auth-wide-version',
    pattern: /^ours rejects \(value: rlpx auth version\) \/ theirs accepts$/,
    specAnswer: 'theirs, by the letter of EIP-8 (accept any auth-vsn): ours rejects a version wider than 48 bits (geth: wider than 64 bits); no real peer sends one',
  },
  {
    target: 'rlpx-ack',
    id: 'ack-unchecked-fields',
    pattern: /^ours rejects \((length|shape|rlp): rlpx ack( nonce| version)?\) \/ theirs accepts$/,
    specAnswer: 'ours: ethereumjs does not check the nonce size (32 bytes), and ignores a missing, list-typed or non-canonical ack-vsn (rlpx.md ack body; EIP-8)',
  },
  {
    target: 'rlpx-ack',
    id: 'ack-wide-version',
    pattern: /^ours rejects \(value: rlpx ack version\) \/ theirs accepts$/,
    specAnswer: 'theirs, by the letter of EIP-8: ours rejects an ack-vsn wider than 48 bits (geth: 64 bits)',
  },
  {
    target: 'snappy',
    id: 'snappy-no-size-limit',
    pattern: /^ours rejects \(too-large: snappy payload\) \/ theirs accepts$/,
    specAnswer: 'ours: rlpx.md (Message Encoding) and EIP-706 say to reject a payload whose declared uncompressed size exceeds 16 MiB before inflating it; @ethereumjs/devp2p calls snappyjs.uncompress without a limit',
  },
  {
    target: 'snappy',
    id: 'snappy-short-output',
    pattern: /^ours rejects \((value|length): snappy payload\) \/ theirs accepts$/,
    specAnswer: 'ours: a snappy block must inflate to exactly the length it declares; snappyjs returns a zero-filled buffer of the declared length even when the block holds fewer bytes (the 1-byte block 01 inflates to one zero byte; a 5-byte header alone inflates to up to 2 GiB of zeros)',
  },
  {
    target: 'tx',
    id: 'tx-validity-in-decoder',
    pattern: /^ours accepts \/ theirs rejects \((maxFeePerGas cannot be less|gas limit \* gasPrice cannot|gasLimit \* (maxFeePerGas|gasPrice) cannot|Invalid Signature: s-values greater|nonce cannot equal or exceed|Invalid EIP-# transaction: authorization list is empty|A common object with customCrypto\.kzg|Common chain ID|Incompatible EIP#-based V)/,
    specAnswer: 'both defensible: these are validity rules (EIP-2 low s, EIP-1559 fee cap >= tip, EIP-2681 nonce, EIP-7702 non-empty list, chain id, KZG setup), not encoding rules; ours decodes such txs and leaves them to pool and block validation as geth does, @ethereumjs/tx refuses to decode them (so a message holding one fails as a whole)',
  },
];

export function knownEntry(target: string, key: string): KnownDisagreement | undefined {
  return KNOWN_DISAGREEMENTS.find((k) => k.target === target && k.pattern.test(key));
}

export function isKnown(target: string, key: string): boolean {
  return knownEntry(target, key) !== undefined;
}

export function knownAnswer(target: string, key: string): string | undefined {
  const k = knownEntry(target, key);
  return k ? `[${k.id}] ${k.specAnswer}` : undefined;
}
