/** Fixed-window rate limits per key (IP) and per named action. */
import { RateLimitedError } from "../errors.ts";

/** One limit: at most `limit` hits per `windowMs`. */
export interface Limit {
  limit: number;
  windowMs: number;
}

/** The outcome of one hit. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Counts hits in memory; limits per action are set once at construction. */
export class RateLimiter {
  readonly #buckets = new Map<string, { count: number; resetAt: number }>();
  #lastSweep = 0;

  constructor(
    private readonly limits: Record<string, Limit[]>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit of `action` by `key`; refuses when any of the action's limits is spent. */
  hit(action: string, key: string): RateDecision {
    const limits = this.limits[action];
    if (!limits) throw new Error(`No rate limit is defined for "${action}"`);
    const now = this.now();
    this.#sweep(now);
    let retryAfterMs = 0;
    const buckets = limits.map((l) => {
      const id = `${action}\u0000${l.windowMs}\u0000${key}`;
      let bucket = this.#buckets.get(id);
      if (!bucket || bucket.resetAt <= now) {
        bucket = { count: 0, resetAt: now + l.windowMs };
        this.#buckets.set(id, bucket);
      }
      if (bucket.count >= l.limit) retryAfterMs = Math.max(retryAfterMs, bucket.resetAt - now);
      return bucket;
    });
    if (retryAfterMs > 0) return { ok: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
    for (const bucket of buckets) bucket.count++;
    return { ok: true };
  }

  /** Counts a hit like `hit`, and throws RateLimitedError (429) with `message` when refused. */
  enforce(action: string, key: string, message: string): void {
    const decision = this.hit(action, key);
    if (!decision.ok) throw new RateLimitedError(message, decision.retryAfterSeconds);
  }

  /** Forgets the hits of `action` by `key` (e.g. after a successful login). */
  reset(action: string, key: string): void {
    for (const l of this.limits[action] ?? []) {
      this.#buckets.delete(`${action}\u0000${l.windowMs}\u0000${key}`);
    }
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [id, bucket] of this.#buckets) if (bucket.resetAt <= now) this.#buckets.delete(id);
  }
}
