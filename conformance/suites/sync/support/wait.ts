/** Polling for a condition the test's own sims observe (a request logged, a lie served). */

/** True once `condition()` holds, false if `timeoutMs` passes (or `signal` aborts) first. */
export async function waitUntil(signal: AbortSignal, condition: () => boolean, timeoutMs: number, pollMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline || signal.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return true;
}

/** A promise and the function that resolves it (an answer gate for ChainServer). */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
