/**
 * A minimal typed event emitter that runs in browsers and Node alike (no `events` module). Listeners run in
 * the order they were added; one that is removed while an event is being delivered still gets that event.
 */
export class TypedEmitter<M extends { [E in keyof M]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof M, Set<(...args: never[]) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof M>(event: E, listener: M[E]): () => void {
    const wrapped: (...args: never[]) => void = listener;
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(wrapped);
    return () => {
      const current = this.listeners.get(event);
      current?.delete(wrapped);
      if (current?.size === 0) this.listeners.delete(event);
    };
  }

  emit<E extends keyof M>(event: E, ...args: Parameters<M[E]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) listener(...(args as never[]));
  }

  listenerCount(event: keyof M): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  removeAll(): void {
    this.listeners.clear();
  }
}
