/**
 * A small typed event emitter: listeners are plain functions, `on` returns the
 * way to unsubscribe, and a listener that throws does not stop the others nor
 * the emitter's own bookkeeping. By default its error is rethrown from a
 * microtask, so it surfaces as an uncaught exception instead of vanishing.
 */
export type EventMap = { [event: string]: unknown[] };

type Listeners<E extends EventMap> = { [K in keyof E]?: Set<(...args: E[K]) => void> };

export class TypedEvents<E extends EventMap> {
  private listeners: Listeners<E> = {};

  constructor(
    private readonly onListenerError: (err: unknown) => void = (err) =>
      queueMicrotask(() => {
        throw err;
      }),
  ) {}

  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const set = (this.listeners[event] ??= new Set());
    set.add(listener);
    return () => void set.delete(listener);
  }

  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      listener(...args);
    });
    return off;
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners[event];
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  clear(): void {
    this.listeners = {};
  }
}
