/**
 * Assertions about DecodeError shared by the wire tests. Vitest only: this
 * module calls expect().
 */
import { expect } from 'vitest';
import { DecodeError, type DecodeErrorCode } from '../reference-node/wire/errors.js';

/** Runs `fn` and asserts that it throws a DecodeError, with `code` when given; returns the error. */
export function expectDecodeError(fn: () => unknown, code?: DecodeErrorCode): DecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    if (code !== undefined) expect((err as DecodeError).code).toBe(code);
    return err as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

/** The code of the DecodeError `fn` throws, or 'no error' when it returns; any other error is rethrown. */
export function decodeErrorCode(fn: () => unknown): DecodeErrorCode | 'no error' {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return err.code;
  }
  return 'no error';
}
