/**
 * Fuzzing time: how long the engine has explored on a ready target. Target
 * start-up, restarts, shrinking and the replay check do not count: against a
 * target that needs a minute to start, and with a run that keeps going after
 * each finding, wall time says little about how much was fuzzed.
 *
 * Holds nest (a restart can happen while shrinking already holds the clock);
 * it runs only when nothing holds it. It starts held: the target is not
 * ready yet.
 */
export class FuzzClock {
  private total = 0;
  private since: number | undefined;
  private holds = 1;

  constructor(private readonly now: () => number = Date.now) {}

  hold(): void {
    if (this.holds++ === 0 && this.since !== undefined) {
      this.total += this.now() - this.since;
      this.since = undefined;
    }
  }

  release(): void {
    if (this.holds === 0) throw new Error('FuzzClock released more often than held');
    if (--this.holds === 0) this.since = this.now();
  }

  get ms(): number {
    return this.total + (this.since !== undefined ? this.now() - this.since : 0);
  }
}
