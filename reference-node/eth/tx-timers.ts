/**
 * The clock the transaction modules run on (broadcast batching, initial tx
 * sync pacing, the fetcher's 500 ms wait and 5 s timeout), injectable so that
 * unit tests step time by hand instead of sleeping, as geth's fetcher takes a
 * mclock.Clock. The system clock is the default everywhere.
 */

export type TimerHandle = unknown;

export interface TxTimers {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: TxTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Background work must never keep a process alive on its own.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A clock that only moves when told to (tests). advance(ms) fires every timer
 * due by then, in due order, each at its own due time.
 */
export class ManualTimers implements TxTimers {
  private current = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { due: number; fn: () => void }>();

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { due: this.current + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as number);
  }

  /** How many timers are waiting. */
  get size(): number {
    return this.pending.size;
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let first: [number, { due: number; fn: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].due <= target && (!first || entry[1].due < first[1].due)) first = entry;
      if (!first) break;
      this.pending.delete(first[0]);
      this.current = first[1].due;
      first[1].fn();
    }
    this.current = target;
  }
}
