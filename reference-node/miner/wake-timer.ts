/**
 * A sleep that ends early: at a deadline, or when woken (a new head, stop()).
 * The miners wait on it between blocks instead of polling the clock.
 */
export type WakeReason = 'deadline' | 'woken';

export class WakeTimer {
  private wakers = new Set<() => void>();

  /** Ends every current sleep with 'woken'. */
  wake(): void {
    const wakers = this.wakers;
    this.wakers = new Set();
    for (const w of wakers) w();
  }

  /** Sleeps `ms` (Infinity: until woken). */
  sleep(ms: number): Promise<WakeReason> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waker = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve('woken');
      };
      this.wakers.add(waker);
      if (Number.isFinite(ms)) {
        timer = setTimeout(
          () => {
            this.wakers.delete(waker);
            resolve('deadline');
          },
          Math.max(0, ms),
        );
      }
    });
  }
}
