/**
 * Per-container operation locks, keyed by container name (a recreate changes the id but not
 * the name): a backup waits while the same container is being recreated, and the other way
 * round, so neither sees the container half-replaced.
 */

/** One in-process lock table; Bosun holds one. */
export class ContainerLocks {
  #held = new Map<string, { purpose: string; released: Promise<void> }>();

  /** What holds the container's lock, if anything. */
  holder(name: string): string | undefined {
    return this.#held.get(name)?.purpose;
  }

  /**
   * Takes the lock, waiting for the holder to release it first (`onWait` is told once, when
   * it has to wait). Resolves with the release function.
   */
  async acquire(
    name: string,
    purpose: string,
    options: { onWait?: (holder: string) => void; signal?: AbortSignal } = {},
  ): Promise<() => void> {
    let told = false;
    for (let held = this.#held.get(name); held; held = this.#held.get(name)) {
      if (!told) (told = true, options.onWait?.(held.purpose));
      await Promise.race([
        held.released,
        new Promise<void>((_, reject) => {
          options.signal?.throwIfAborted();
          options.signal?.addEventListener("abort", () => reject(options.signal!.reason), {
            once: true,
          });
        }),
      ]);
    }
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    this.#held.set(name, { purpose, released });
    return () => {
      if (this.#held.get(name)?.released === released) this.#held.delete(name);
      release();
    };
  }
}
