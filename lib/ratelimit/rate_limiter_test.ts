import assert from "node:assert/strict";
import { RateLimiter } from "./rate_limiter.ts";

Deno.test("RateLimiter refuses past the limit per key and window, then recovers", () => {
  const now = { t: 0 };
  const limiter = new RateLimiter({
    api: [{ limit: 3, windowMs: 60_000 }, { limit: 5, windowMs: 3_600_000 }],
  }, () => now.t);
  for (let i = 0; i < 3; i++) assert.equal(limiter.hit("api", "a").ok, true);
  const refused = limiter.hit("api", "a");
  assert.deepEqual(refused, { ok: false, retryAfterSeconds: 60 });
  assert.equal(limiter.hit("api", "b").ok, true, "other IPs are unaffected");
  now.t = 60_000;
  assert.equal(limiter.hit("api", "a").ok, true);
  assert.equal(limiter.hit("api", "a").ok, true);
  const hourly = limiter.hit("api", "a");
  assert.equal(hourly.ok, false, "the hourly limit applies too");
  assert.ok(!hourly.ok && hourly.retryAfterSeconds > 3000);
  assert.throws(() => limiter.hit("nope", "a"), /No rate limit/);
});
