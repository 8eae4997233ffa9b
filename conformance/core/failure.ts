/**
 * How a test says what went wrong. A failure carries exactly one message and
 * the expected / actual pair, so every report can show "expected X, got Y"
 * without parsing prose. Anything else a test throws is a harness error,
 * which the runner reports apart from target failures.
 */
export class TestFailure extends Error {
  override readonly name = 'TestFailure';
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(message);
  }
}

/** Thrown by a test that finds at run time that it cannot apply (e.g. the target did not negotiate a version). */
export class TestSkip extends Error {
  override readonly name = 'TestSkip';
}

/** The target stopped answering at all (process gone, port closed); the runner restarts it if it can. */
export class TargetDownError extends Error {
  override readonly name = 'TargetDownError';
}

export function fail(message: string, expected: string, actual: string): never {
  throw new TestFailure(message, expected, actual);
}

/** `fail` unless `condition` holds. */
export function check(condition: boolean, message: string, expected: string, actual: string | (() => string)): asserts condition {
  if (!condition) fail(message, expected, typeof actual === 'function' ? actual() : actual);
}
