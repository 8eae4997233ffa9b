/**
 * failureSignature on verdict texts the campaigns really produce (taken from
 * the reproducers in fuzz/findings/ethereumjs and the campaigns' fail()
 * calls): the same bug with other numbers, timings, keys or list lengths
 * gives one signature; another wording or another oracle gives another.
 */
import { describe, expect, it } from 'vitest';
import { failureSignature } from './signature.js';
import type { OracleName } from './types.js';

const sig = (oracle: OracleName, expected: string, observed: string) => failureSignature({ oracle, expected, observed });

describe('failureSignature', () => {
  it('keeps the oracle and the words', () => {
    expect(sig('reply', 'frames and payloads that decode', 'the connection closed')).toBe('reply | expected: frames and payloads that decode | observed: the connection closed');
    expect(sig('reply', 'x', 'y')).not.toBe(sig('hang', 'x', 'y'));
  });

  it('timings do not split a signature', () => {
    const a = sig('reply', 'Receipts with request id 1 within 5000 ms', 'nothing within 5014 ms (the session is still open)');
    const b = sig('reply', 'Receipts with request id 9183 within 5000 ms', 'nothing within 5231 ms (the session is still open)');
    expect(a).toBe(b);
    expect(a).toContain('within # ms');
  });

  it('the amount-0 bug and the empty-answer bug stay apart (what the oracle-only shrinker merged)', () => {
    const emptyAnswer = sig('reply', 'headers 1,2,…,1100 (1100)', 'an empty BlockHeaders');
    const amountZero = sig('reply', 'at most 0 headers: blocks none', '1 headers (0)');
    expect(emptyAnswer).not.toBe(amountZero);
    // ...while each one is stable across its own cases.
    expect(sig('reply', 'headers 5,6,7', 'an empty BlockHeaders')).toBe(emptyAnswer);
    expect(sig('reply', 'at most 0 headers: blocks none', '1 headers (77)')).toBe(amountZero);
  });

  it('a count and its plural are one wording, other words are not', () => {
    expect(sig('reply', 'at most 0 headers: blocks none', '1 header (0)')).toBe(sig('reply', 'at most 0 headers: blocks none', '12 headers (4,5,6,7,…)'));
    // "none" is a word: asking for nothing and getting something is not the same as getting too much.
    expect(sig('reply', 'at most 0 headers: blocks none', '1 header (0)')).not.toBe(sig('reply', 'at most 3 headers: blocks 4,5,6', '12 headers (4,5,6,7,…)'));
    expect(sig('reply', 'a', '2 bodies')).toBe(sig('reply', 'a', '1 body'));
    expect(sig('reply', 'a', '1 header')).not.toBe(sig('reply', 'a', '1 body'));
    // "block 5 has" is not a plural of "ha".
    expect(sig('reply', 'a', 'block 5 has no body')).toContain('# has no body');
  });

  it('hex, disconnect reason codes and addresses are values', () => {
    expect(sig('unexpected-reply', 'no ack: rlpx auth nonce: expected 32 bytes, got 33', '636 bytes (01ba04e6b67b1728…)')).toBe(
      sig('unexpected-reply', 'no ack: rlpx auth nonce: expected 32 bytes, got 31', '517 bytes (01430441245958db…)'),
    );
    expect(sig('reply', 'a Pong addressed to the Ping\'s UDP source 127.0.0.1:40123', 'to 127.0.0.9:30303')).toBe(sig('reply', 'a Pong addressed to the Ping\'s UDP source 127.0.0.1:52000', 'to 127.0.0.1:1'));
    // The reason's words stay, so two reasons are two signatures even though 0x.. is masked.
    expect(sig('disconnect-reason', 'Disconnect breach of protocol (0x02)', 'Disconnect useless peer (0x03)')).not.toBe(
      sig('disconnect-reason', 'Disconnect breach of protocol (0x02)', 'Disconnect subprotocol-specific reason (0x10)'),
    );
    // Undecodable frames: the length the bare reason byte gives does not matter.
    const frame = (n: number) => sig('reply', 'frames and payloads that decode', `an undecodable frame from the target (snappy payload: corrupt snappy block: snappy: corrupt input (header mismatch; expected ${n} decompressed bytes but got 0))`);
    expect(frame(16)).toBe(frame(2));
  });

  it('different wordings of one oracle are different bugs', () => {
    expect(sig('unexpected-reply', 'no ack: rlpx auth nonce: expected 32 bytes, got 33', '636 bytes (01ba04e6b67b1728…)')).not.toBe(
      sig('unexpected-reply', 'no ack: rlpx auth version: integer has leading zero bytes', '517 bytes (01430441245958db…)'),
    );
    // Legacy and EIP-8 auths left unanswered are findings 4 and 5 of FINDINGS.md.
    const unanswered = (format: string, padding: number) => sig('reply', `an ack to a valid ${format} auth (EIP-8: version 4, 0 extra elements, ${padding} bytes of padding are fine)`, 'the connection closed');
    expect(unanswered('eip8', 0)).toBe(unanswered('eip8', 21));
    expect(unanswered('eip8', 0)).not.toBe(unanswered('legacy', 100));
  });

  it('a decoder\'s detail nested in the case\'s description does not split a signature', () => {
    const malformed = (detail: string) => sig('disconnect-reason', `Disconnect breach of protocol (0x02) or subprotocol-specific reason (0x10) (a malformed Hello (p2p Hello ${detail}))`, 'Disconnect useless peer (0x03)');
    expect(malformed('nodeId: expected 64 bytes, got 1')).toBe(malformed('capability 0 version: integer longer than 6 bytes'));
    expect(malformed('nodeId: expected 64 bytes, got 1')).toBe('disconnect-reason | expected: Disconnect breach of protocol (#) or subprotocol-specific reason (#) (a malformed Hello) | observed: Disconnect useless peer (#)');
    // What the case was stays: a second Hello is another situation than a malformed one.
    expect(malformed('nodeId: expected 64 bytes, got 1')).not.toBe(sig('disconnect-reason', 'Disconnect breach of protocol (0x02) or subprotocol-specific reason (0x10) (a second Hello)', 'Disconnect useless peer (0x03)'));
    // And a detail at the first level is kept: it is the observation itself.
    expect(sig('reply', 'a valid eth/68 BlockHeaders', 'invalid RLP: remainder must be zero')).not.toBe(sig('reply', 'a valid eth/68 BlockHeaders', 'header 0: expected 15 fields'));
  });

  it('a crash is judged by the error line of the target\'s log tail, not by the rest of it', () => {
    const crash = (tail: string) => sig('crash', 'the target process keeps running', `it exited; last output: ${tail}`);
    const boom = crash('12:00:01 INFO peer 0xab12cd34ef connected | Error: boom at frame 17 | shutting down');
    expect(boom).toBe(crash('12:07:33 WARN something else entirely | 12:07:34 ERROR Error: boom at frame 4'));
    expect(boom).not.toBe(crash('TypeError: Cannot read properties of undefined (reading \'x\') | at decode (wire.js:10:3)'));
    // No error line: only that it exited, whatever else it printed.
    expect(crash('12:00:01 INFO bye')).toBe(crash('12:09:59 WARN other chatter'));
    expect(crash('12:00:01 INFO bye')).toBe(sig('crash', 'the target process keeps running', 'it exited'));
    expect(crash('12:00:01 INFO bye')).not.toBe(boom);
  });
});
