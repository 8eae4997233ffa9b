/** Exit codes from DESIGN.md: 0 all passed, 1 a test failed, 2 usage or config error, 3 target unreachable or crashed. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;

/** A mistake in how the tool was called; the message names the flag or argument and what to do. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The remote node could not be reached, or it broke off. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}
