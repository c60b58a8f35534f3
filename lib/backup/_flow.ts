/**
 * Backpressure for tar packing: modern-tar's packer accepts entry data faster than its
 * readable side is consumed, so without a limit a fast engine stream piles up in memory in
 * front of a slower compressor. Producers `await window.room()` before handing over a chunk;
 * the consumer side reports what it has taken with `consumed()`.
 */
export class FlowWindow {
  #produced = 0;
  #consumed = 0;
  #waiters: (() => void)[] = [];
  #failure?: unknown;

  constructor(private readonly limitBytes = 8 * 1024 * 1024) {}

  /** Resolves once fewer than `limitBytes` are in flight, then counts `bytes` as produced. */
  async room(bytes: number): Promise<void> {
    while (this.#produced - this.#consumed > this.limitBytes) {
      if (this.#failure) throw this.#failure;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#failure) throw this.#failure;
    this.#produced += bytes;
  }

  /**
   * The consumer side failed (disk full, engine gone): every producer waiting for room, and
   * every later one, gets `err` instead of waiting forever.
   */
  fail(err: unknown): void {
    this.#failure ??= err;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Records bytes taken by the consumer and wakes waiting producers. */
  consumed(bytes: number): void {
    this.#consumed += bytes;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** A pass-through web stream that reports what flows through it as consumed. */
  tap(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream({
      transform: (chunk, out) => {
        this.consumed(chunk.length);
        out.enqueue(chunk);
      },
    });
  }
}
